"""Mining: a hand-made set whose scenario figures are known, status filter, determinism, the entry point."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import pytest

from kb_builder import ALPHA, build_kb, write_kb
from scopekb.kb.load import load_knowledge_base
from scopekb.tickets import MiningSettings, Ticket, mine_knowledge_base, mine_tickets, new_article_command
from scopekb.tickets.mapping import normal_form
from scopekb.tickets.scenarios import clean_title

BETA = """\
    id: CTR-2
    client: {name: Beta Transports}
    signed: 2025-01-10
    services: [incident]
    scope:
      - {category: printers, level: n1}
"""
DAY = dt.datetime(2025, 3, 3, 9, 0)


def made(ident, title, description, client="ACO", minutes=30, level="n1", solution="", status="closed",
         days=0, category=("Matériel", "Imprimante")) -> Ticket:
    opened = DAY + dt.timedelta(days=days)
    return Ticket("export.csv", int(ident) + 1, str(ident), title, description, solution, client, category,
                  status, opened, opened + dt.timedelta(minutes=minutes), None, ("Durand Marie",),
                  ("Martin Paul",), level)


OFFLINE = [
    made(1, "Imprimante hors ligne", "L'imprimante est hors ligne, rien ne sort", minutes=30,
         solution="Spouleur redémarré", days=0),
    made(2, "imprimante HORS LIGNE depuis ce matin", "Impossible d'imprimer, imprimante hors ligne",
         minutes=60, solution="Spouleur redemarre.", days=5),
    made(3, "L'imprimante apparaît hors ligne", "Windows indique l'imprimante hors ligne", client="Beta Transports",
         minutes=90, level="n2", solution="Port recréé", days=9),
    made(4, "Imprimante hors-ligne", "Mon imprimante reste hors ligne, Marie Durand 01 23 45 67 89",
         client="Boulangerie Lemaire", minutes=600, level="unknown", solution="Spouleur redémarré", days=2),
]
JAM = [
    made(5, "Bourrage papier", "Le copieur affiche un bourrage papier dans le bac 2", days=1),
    made(6, "Bourrage papier récurrent", "Bourrage papier à chaque impression recto verso", days=3),
    made(7, "bourrage papier bac 2", "Feuille coincée, bourrage papier", days=4),
]
OTHERS = [
    made(8, "Toner vide", "La cartouche de toner est vide", days=6),
    made(9, "Toner à changer", "Le toner est vide", days=7),  # two only: not recurring
    made(10, "Imprimante hors ligne", "Imprimante hors ligne", status="other", days=8),  # still open
]


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return build_kb(tmp_path_factory.mktemp("kb"), ALPHA, BETA)


def test_scenario_figures_on_a_hand_made_set(kb):
    result = mine_tickets(OFFLINE + JAM + OTHERS, kb)
    assert [s.tickets for s in result.scenarios] == [("1", "2", "3", "4"), ("5", "6", "7")]
    offline, jam = result.scenarios
    assert offline.category == jam.category == "printers"
    assert offline.occurrences == 4
    assert offline.clients == ("alpha-conseil", "beta-transports") and offline.unknown_clients == 1
    assert offline.first_seen == DAY and offline.last_seen == DAY + dt.timedelta(days=9)
    assert offline.median_time_to_resolve == dt.timedelta(minutes=75)  # 30, 60, 90, 600
    assert offline.levels_known == 3 and offline.n1_share == pytest.approx(2 / 3)
    assert offline.resolution == "Spouleur redémarré"  # twice, and a third time spelt without accents
    assert normal_form(offline.title) == "imprimante hors ligne"  # the most usual title (1 and 4)
    assert "[téléphone]" not in " ".join(offline.symptoms) and "Durand" not in repr(offline)
    assert offline.id == "printers-imprimante-ligne"  # its weightiest words ("hors" is a stop word)
    assert jam.id.startswith("printers-") and "bourrage" in jam.id
    assert result.counts["not-resolved"] == 1 and result.counts["mined"] == 9
    assert result.counts["in-scenarios"] == 7 and result.counts["scenarios"] == 2


def test_only_solved_and_closed_tickets_feed_scenarios(kb):
    still_open = [dataclasses.replace(t, status="other") for t in OFFLINE]
    result = mine_tickets(still_open + JAM, kb)
    assert [s.tickets for s in result.scenarios] == [("5", "6", "7")]
    assert result.counts["not-resolved"] == 4


def test_min_occurrences_is_a_setting(kb):
    result = mine_tickets(OFFLINE + JAM + OTHERS, kb, settings=MiningSettings(min_occurrences=2))
    assert ("8", "9") in [s.tickets for s in result.scenarios]
    result = mine_tickets(OFFLINE + JAM + OTHERS, kb, settings=MiningSettings(min_occurrences=4))
    assert [s.tickets for s in result.scenarios] == [("1", "2", "3", "4")]


def test_same_output_whatever_the_order_of_the_input(kb):
    tickets = OFFLINE + JAM + OTHERS
    first = mine_tickets(tickets, kb)
    for seed in range(3):
        shuffled = tickets[:]
        random.Random(seed).shuffle(shuffled)
        assert mine_tickets(shuffled, kb) == first


def test_a_ticket_in_two_exports_counts_once(kb):
    older = dataclasses.replace(OFFLINE[0], source="january.csv", status="other", resolved=None)
    result = mine_tickets([older] + OFFLINE + JAM, kb)
    assert result.counts["duplicates"] == 1 and result.counts["not-resolved"] == 0
    assert result.scenarios[0].occurrences == 4


def test_labeled_set_mined_in_worker_processes_gives_the_same_scenarios():
    repo = Path(__file__).resolve().parents[1]
    kb = load_knowledge_base(repo, use_cache=False)
    from scopekb.tickets import read_export

    tickets = [t for t in read_export(repo / "tests/data/tickets/labeled/labeled.glpi.csv")[1]]
    alone = mine_tickets(tickets, kb, settings=MiningSettings(workers=1))
    together = mine_tickets(tickets, kb, settings=MiningSettings(workers=2, parallel_from=1))
    assert together == alone and len(alone.scenarios) > 20


def test_mine_knowledge_base_reads_content_tickets(tmp_path):
    root = write_kb(tmp_path / "kb", {"alpha.yaml": ALPHA, "beta.yaml": BETA})
    exports = root / "content" / "tickets"
    exports.mkdir(parents=True)
    header = '"ID";"Titre";"Entité";"Statut";"Date d\'ouverture";"Date de résolution";"Catégorie";"Description";'
    rows = [header]
    for t in OFFLINE + JAM:
        rows.append(f'"{t.id}";"{t.title}";"Racine > {t.client}";"Clos";"{t.opened:%d-%m-%Y %H:%M}";'
                    f'"{t.resolved:%d-%m-%Y %H:%M}";"Matériel > Imprimante";"{t.description}";')
    rows.append('"99";"Sans date";"Racine > ACO";"Clos";"hier";"";"";"";')
    (exports / "glpi.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (exports / "README.md").write_text("Exports GLPI, un par mois.\n", encoding="utf-8")
    kb = load_knowledge_base(root, use_cache=False)
    result = mine_knowledge_base(root, kb, overrides={"Matériel": "printers"})
    assert [s.tickets for s in result.scenarios] == [("1", "2", "3", "4"), ("5", "6", "7")]
    assert result.problems == ["content/tickets/glpi.csv:9: Date d'ouverture: 'hier' is not a date "
                               "(expected Y-m-d, d-m-Y or m-d-Y, with hours (2025-03-14 09:30))"]
    assert result.counts["skipped"] == 1 and result.counts["read"] == 7
    assert not (root / ".scopekb-cache" / "tickets").exists()  # pure: it writes nothing


def test_new_article_command(kb):
    offline = dataclasses.replace(mine_tickets(OFFLINE, kb).scenarios[0], title="Imprimante hors ligne")
    assert new_article_command(offline) == "scopekb new article 'Imprimante hors ligne' --category printers"
    quoted = dataclasses.replace(offline, title="L'imprimante \"HP\" hors ligne")
    assert new_article_command(quoted) == \
        "scopekb new article 'L'\"'\"'imprimante \"HP\" hors ligne' --category printers"


@pytest.mark.parametrize("raw, clean", [("RE: TR: Imprimante HS.", "Imprimante HS"),
                                        ("[URGENT] outlook bloqué", "Outlook bloqué"),
                                        ("Urgent : wifi   coupé", "Wifi coupé")])
def test_titles_are_cleaned(raw, clean):
    assert clean_title(raw) == clean


def test_a_category_whose_tickets_say_only_stop_words_gives_no_scenario(kb):
    """Nothing to group them by: no scenario, never an exception (scikit-learn's 'empty vocabulary')."""
    empty = [made(20 + n, "le la les", "de du des", days=n) for n in range(3)]
    result = mine_tickets(empty, kb)
    assert result.scenarios == [] and result.counts["mined"] == 3
