"""A GLPI export dropped into content/tickets/ of a knowledge base, then `scopekb build`: scenario pages with
the right figures, links from categories and clients, the search, the "to document" list, the maintainers'
page, contract health, no personal data anywhere in the site, bad rows reported and skipped, and a rebuild
that does not mine again.

The knowledge base is a copy of the repository's example (contracts/, content/articles/, mkdocs.yml) with
its ticket exports replaced by EXPORT below; the site is built as of 2026-12-01 (SOURCE_DATE_EPOCH).
"""
from __future__ import annotations

import gzip
import html
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DAY_EPOCH = "1796083200"  # 2026-12-01 00:00 UTC
HEADER = ["ID", "Titre", "Entité", "Statut", "Date d'ouverture", "Date de résolution", "Date de clôture", "Type",
          "Catégorie", "Demandeur - Demandeur", "Attribué à - Technicien", "Attribué à - Groupe de techniciens",
          "Description", "Solution - Solution"]
HOTEL, DUPONT, MARCHAND, GARAGE = ("Hôtel Le Belvédère", "Cabinet Dupont & Associés", "Éditions Marchand & Cie",
                                   "Garage Rousseau & Frères")
# Personal data planted in the tickets: none of it may reach any byte of the site.
PLANTED = ["Vasseur", "Zoé", "Quennehen", "Brice", "Kowalczyk", "Apolline", "zoe.vasseur@belvedere-hotel.fr",
           "a.kowalczyk@editions-marchand.example", "06 12 34 56 78", "+33 6 12 34 56 78", "06.98.76.54.32",
           "+44 20 7946 0958", "192.168.12.34", "10.0.0.27", "fe80::1ff:fe23:4567:890a",
           "FR76 3000 6000 0112 3456 7890 189"]
HOSTILE_TITLE = 'Outlook ne démarre plus <script>alert("x")</script>'
HOSTILE_SOLUTION = "Profil Outlook recréé **gras** [clic](javascript:alert(1)) <img src=x onerror=alert(2)>"


def ticket(ident, title, client, day, category, requester="Durand Marie", technician="Martin Paul",
           group="Helpdesk N1", description="", solution="", status="Clos", minutes=60):
    opened = f"{day} 09:00"
    hours, mins = divmod(9 * 60 + minutes, 60)
    resolved = f"{day} {hours:02d}:{mins:02d}" if status in ("Clos", "Résolu") else ""
    return [str(ident), title, f"Entité racine > {client}", status, opened, resolved, resolved if status == "Clos"
            else "", "Incident", category, requester, technician, group, description, solution]


ROWS = [
    # Printer offline: 6 tickets, 5 of clients under contract (3 hotel, 2 Dupont), 1 of an unknown client.
    ticket(101, "Imprimante hors ligne", HOTEL, "01-03-2026", "Matériel > Imprimante", requester="Vasseur Zoé",
           technician="Quennehen Brice",
           description="Bonjour, l'imprimante est hors ligne. Zoé VASSEUR, zoe.vasseur@belvedere-hotel.fr, "
                       "tél. 06 12 34 56 78 ou +33 6 12 34 56 78, poste 192.168.12.34",
           solution="Rappelé Mme Vasseur au 06.98.76.54.32 : imprimante 10.0.0.27 remise en ligne. Brice",
           minutes=30),
    ticket(102, "Imprimante hors ligne - zoe vasseur", HOTEL, "15-04-2026", "Matériel > Imprimante",
           requester="Vasseur Zoé", description="imprimante hors ligne depuis ce matin",
           solution="Imprimante 10.0.0.27 remise en ligne", minutes=60),
    ticket(103, "L'imprimante est hors ligne", HOTEL, "02-06-2026", "Matériel > Imprimante",
           description="Windows affiche l'imprimante hors ligne", solution="Imprimante remise en ligne",
           minutes=90),
    ticket(104, "Imprimante affichée hors ligne, rappeler Zoé Vasseur au 06 12 34 56 78", DUPONT, "10-07-2026",
           "Matériel > Imprimante", requester="Vasseur Zoé", description="L'imprimante est hors ligne, rien ne sort",
           solution="Imprimante remise en ligne", group="Support N2 systèmes et réseaux", minutes=120),
    ticket(105, "Imprimante hors ligne", DUPONT, "20-09-2026", "Matériel > Imprimante",
           description="Hors ligne encore", solution="Imprimante remise en ligne", minutes=150),
    ticket(106, "Imprimante hors ligne", "Boulangerie Lemaire", "05-10-2026", "Matériel > Imprimante",
           description="imprimante hors ligne", solution="Imprimante remise en ligne", minutes=180),
    # Outlook does not start: 4 tickets of Éditions Marchand, one with a hostile title and solution.
    ticket(201, "Outlook ne démarre plus", MARCHAND, "01-04-2026", "Bureautique > Outlook",
           requester="Kowalczyk Apolline",
           description="Outlook ne démarre plus. Apolline Kowalczyk a.kowalczyk@editions-marchand.example, "
                       "remboursement sur FR76 3000 6000 0112 3456 7890 189, machine fe80::1ff:fe23:4567:890a",
           solution=HOSTILE_SOLUTION, minutes=40),
    ticket(202, HOSTILE_TITLE, MARCHAND, "02-05-2026", "Bureautique > Outlook",
           description="Outlook ne démarre plus du tout", solution=HOSTILE_SOLUTION, minutes=40),
    ticket(203, "Outlook ne démarre plus", MARCHAND, "03-06-2026", "Bureautique > Outlook",
           description="Outlook ne se lance plus", solution=HOSTILE_SOLUTION, minutes=40),
    ticket(204, "Outlook ne démarre plus ce matin", MARCHAND, "04-07-2026", "Bureautique > Outlook",
           description="Outlook ne démarre plus", solution="Profil Outlook recréé", minutes=40),
    # Toner empty: 3 tickets of Garage Rousseau, whose contract ended in 2025: calls outside any contract.
    ticket(301, "Toner vide", GARAGE, "10-02-2026", "Matériel > Imprimante",
           description="Le toner est vide, appelez le +44 20 7946 0958", solution="Cartouche de toner remplacée"),
    ticket(302, "Toner vide sur l'imprimante", GARAGE, "10-03-2026", "Matériel > Imprimante",
           description="toner vide", solution="Cartouche de toner remplacée"),
    ticket(303, "Plus de toner", GARAGE, "10-04-2026", "Matériel > Imprimante",
           description="toner vide, impression pâle", solution="Cartouche de toner remplacée"),
    # One-off problems, an open ticket, a ticket of no category.
    ticket(401, "Écran qui clignote", DUPONT, "11-05-2026", "Matériel > Écran",
           description="L'écran clignote", solution="Câble changé"),
    ticket(402, "Le wifi ne passe pas dans la salle", HOTEL, "12-05-2026", "Réseau > Wi-Fi",
           description="Pas de wifi", solution="Borne déplacée"),
    ticket(403, "Imprimante hors ligne", HOTEL, "13-05-2026", "Matériel > Imprimante", status="En cours (Attribué)",
           description="hors ligne"),
    ticket(404, "Demande diverse", HOTEL, "14-05-2026", "", description="Question", solution="Répondu"),
]
BAD_ROW = ticket(999, "Date impossible", HOTEL, "31-02-2026", "Matériel > Imprimante", solution="x")


def cell(text: str) -> str:
    return '"' + text.replace('"', "''") + '"'


def export_text(rows) -> str:
    lines = [";".join(cell(h) for h in HEADER) + ";"]
    lines += [";".join(cell(value) for value in row) + ";" for row in rows]
    return "\ufeff" + "\n".join(lines) + "\n"


def make_kb(folder: Path, rows=ROWS) -> Path:
    shutil.copytree(REPO / "contracts", folder / "contracts")
    shutil.copytree(REPO / "content", folder / "content", ignore=shutil.ignore_patterns("tickets"))
    (folder / "content" / "tickets").mkdir()
    # The bad row in the middle: the rows after it are read all the same.
    (folder / "content" / "tickets" / "glpi.csv").write_text(export_text(rows[:3] + [BAD_ROW] + rows[3:]),
                                                             encoding="utf-8")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", "")
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


def scopekb(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=DAY_EPOCH)
    return subprocess.run([sys.executable, "-c", "from scopekb.cli import main; main()", *args], env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_kb(tmp_path_factory.mktemp("tickets") / "kb")
    done = scopekb("build", "--root", str(root))
    assert done.returncode == 0, done.stderr
    return root, root / "site" / "internal", done.stderr


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def scenario_folders(site: Path) -> dict[str, str]:
    """Each scenario page's id -> its HTML (the list pages aside)."""
    return {p.parent.name: p.read_text(encoding="utf-8") for p in sorted((site / "scenarios").glob("*/index.html"))
            if p.parent.name not in ("a-documenter", "tickets-non-rattaches")}


def figures(page: str) -> dict[str, str]:
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]*)</td></tr>', page)
    return {label: value for label, value in rows}


def test_recurring_malfunctions_get_scenario_pages_with_their_figures(built):
    _, site, _ = built
    pages = scenario_folders(site)
    assert len(pages) == 3, list(pages)  # printer offline, Outlook, toner; one-offs stay out
    offline = next(page for page in pages.values() if "101, 102" in page)
    assert figures(offline) == {
        "Occurrences": "6", "Clients concernés": "2 (tickets sans client sous contrat : 1)",
        "Premier ticket": "2026-03-01", "Dernier ticket": "2026-10-05", "Délai médian de résolution": "1 h 45 min",
        "Résolus au niveau 1": "83 % des 6 tickets dont le niveau est connu"}  # 5 at N1, 1 at N2
    assert re.search(r"<h1[^>]*>Imprimante hors ligne", offline)
    assert "101, 102, 103, 104, 105, 106" in offline and "403" not in offline  # an open ticket is not mined
    assert "Imprimante remise en ligne" in offline  # the resolution written most often
    toner = next(page for page in pages.values() if "Toner" in page)
    assert figures(toner)["Occurrences"] == "3" and figures(toner)["Clients concernés"] == "1"


def test_no_personal_data_reaches_any_byte_of_the_site(built):
    _, site, _ = built
    texts = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            texts[path.relative_to(site).as_posix()] = data.decode("utf-8", "replace")
    assert any(name.startswith("assets/scopekb/search-index") for name in texts)
    assert not [name for name in texts if name.endswith(".csv")]  # the export itself is never published

    def folded(text: str) -> str:
        text = unicodedata.normalize("NFD", text.lower())
        return "".join(c for c in text if not unicodedata.combining(c))

    def compact(text: str) -> str:  # phone numbers, IBANs: however they are spaced
        return re.sub(r"[\s.\-\u00a0()+:]", "", folded(text))

    every = {name: (folded(text), compact(text)) for name, text in texts.items()}
    for planted in PLANTED:
        for name, (plain, dense) in every.items():
            assert folded(planted) not in plain, f"{planted!r} in {name}"
            if sum(c.isdigit() for c in planted) >= 8:
                assert compact(planted) not in dense, f"{planted!r} in {name}"
    # The scrubbed texts are there: the pages were not emptied to pass the test.
    offline = next(page for page in scenario_folders(site).values() if "101, 102" in page)
    assert "Imprimante affichée hors ligne, rappeler [nom] au [téléphone]" in offline


def test_ticket_text_is_escaped_never_markup(built):
    _, site, _ = built
    outlook = next(page for page in scenario_folders(site).values() if "Outlook" in page)
    assert "<script>alert" not in outlook and "onerror" not in outlook
    assert "<img src=x" not in outlook and "<strong>gras" not in outlook and 'href="javascript:' not in outlook
    assert "Profil Outlook recréé **gras** [clic](javascript:alert(1))" in outlook  # the resolution, as text
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert '<script>alert("x")' not in text and 'href="javascript:alert' not in text, path


def test_categories_clients_and_the_search_link_the_scenarios(built):
    _, site, _ = built
    pages = scenario_folders(site)
    offline_id = next(sid for sid, page in pages.items() if "101, 102" in page)
    toner_id = next(sid for sid, page in pages.items() if "301, 302, 303" in page)
    printers = read(site, "categories/printers/index.html")
    assert f'href="../../scenarios/{offline_id}/"' in printers and f'href="../../scenarios/{toner_id}/"' in printers
    hotel = read(site, "clients/hotel-le-belvedere.html")
    assert f'href="../scenarios/{offline_id}/"' in hotel and "3 tickets de ce client sur 6" in hotel
    assert toner_id not in hotel and toner_id in read(site, "clients/garage-rousseau-freres.html")
    index = read(site, "assets/scopekb/search-index.js")
    assert f"scenarios/{offline_id}/" in index and f"scenarios/{toner_id}/" in index
    for sid, page in pages.items():  # a scenario page links back to its category and its clients
        assert '../../categories/' in page and ("../../clients/" in page or "Aucun client" in page)


def test_the_to_document_list_most_frequent_first_with_the_command_that_writes_the_article(built):
    _, site, _ = built
    page = read(site, "scenarios/a-documenter/index.html")
    pages = scenario_folders(site)
    outlook_id = next(sid for sid, p in pages.items() if "201, 202" in p)
    # The example's article "Outlook ne démarre plus" names another scenario id: Outlook's is to document.
    listed = re.findall(r'<a href="\.\./\.\./scenarios/([^/"]+)/">', page)
    assert listed[0] != outlook_id and outlook_id in listed and len(listed) == 3
    commands = [html.unescape(c) for c in re.findall(r'<code class="scopekb-command">([^<]+)</code>', page)]
    assert any(f"--category office-apps --scenario {outlook_id}" in c for c in commands), commands
    assert "scopekb new article" in commands[0]


def test_an_article_naming_a_scenario_leads_its_page_and_leaves_the_list(built, tmp_path):
    root, site, _ = built
    pages = scenario_folders(site)
    toner_id = next(sid for sid, p in pages.items() if "301, 302, 303" in p)
    copy = tmp_path / "kb"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("site"))
    done = scopekb("new", "article", "Toner vide", "--category", "printers", "--scenario", toner_id,
                   "--root", str(copy))
    assert done.returncode == 0, done.stderr
    rebuilt = scopekb("build", "--root", str(copy))
    assert rebuilt.returncode == 0, rebuilt.stderr
    page = read(copy / "site" / "internal", f"scenarios/{toner_id}/index.html")
    lead = page.index("Articles qui documentent ce scénario")
    assert lead < page.index('id="scenario-symptoms"') and 'href="../../articles/toner-vide/"' in page
    todo = read(copy / "site" / "internal", "scenarios/a-documenter/index.html")
    assert toner_id not in todo


def test_bad_rows_are_reported_and_skipped_and_unmapped_tickets_listed(built):
    _, site, stderr = built
    lines = stderr.splitlines()
    assert "content/tickets/glpi.csv:5: Date d'ouverture: '31-02-2026 09:00' is not a date (expected Y-m-d, d-m-Y " \
           "or m-d-Y, with hours (2025-03-14 09:30))" in lines
    assert "content/tickets: 1 rows skipped, 1 problems (the lines above); the site is built from the other rows" \
        in lines
    page = read(site, "scenarios/tickets-non-rattaches/index.html")
    assert "Boulangerie Lemaire" in page and "content/tickets/glpi.csv:" in page
    assert "<code>content/tickets/glpi.csv:5: Date d&#39;ouverture</code>" in page
    assert "31-02-2026" not in page  # the page says where, the build's output says what
    # The example's article on Outlook names the scenario id of the example's tickets, not of these.
    assert 'href="../../articles/outlook-ne-demarre-plus/"' in page and "office-apps-impossible-lancer-outlook" in page


def test_contract_health_on_client_pages_and_the_overview(built):
    _, site, _ = built
    garage = read(site, "clients/garage-rousseau-freres.html")
    # Its contract ended on 2025-05-31: the 3 toner calls of 2026 are outside any contract.
    assert re.search(r'Imprimantes locales et en réseau</a></td> <td>3</td> <td>3</td>', garage)
    # The hotel's contract covers listed hardware only: a printer call that names no asset is out of scope
    # (reason not-listed, as `scopekb check` says), the open ticket 403 included; and it ends within 90 days.
    hotel = read(site, "clients/hotel-le-belvedere.html")
    assert re.search(r'Imprimantes locales et en réseau</a></td> <td>4</td> <td>4</td>', hotel)
    assert "CTR-2023-008 prend fin le 2026-12-31, dans 30 jours." in hotel
    home = read(site, "index.html")
    names = list(dict.fromkeys(re.findall(r'<tr><td><a href="clients/([^".]+)\.html">', home)))
    assert names[:2] == ["hotel-le-belvedere", "garage-rousseau-freres"], names
    assert "hors périmètre : 4 ; fin dans 30 j" in home and "hors périmètre : 3" in home


def test_a_rebuild_with_unchanged_tickets_does_not_mine_again(tmp_path, monkeypatch):
    from scopekb.publish.build import build_site
    from scopekb.tickets import facts

    root = make_kb(tmp_path / "kb")
    mined = []
    real_mine, real_now = facts.mine, facts.time_ns
    monkeypatch.setattr(facts, "mine", lambda *a, **k: mined.append(1) or real_mine(*a, **k))
    monkeypatch.setattr(facts, "time_ns", lambda: real_now() + 10 * facts.RACY_NS)  # the export counts as old
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DAY_EPOCH)
    build_site(root)
    first = (root / "site" / "internal" / "scenarios" / "index.html").read_bytes()
    build_site(root)
    assert len(mined) == 1
    assert (root / "site" / "internal" / "scenarios" / "index.html").read_bytes() == first
    (root / "content" / "tickets" / "glpi.csv").write_text(export_text(ROWS[:-1]), encoding="utf-8")
    build_site(root)
    assert len(mined) == 2
