"""The site as data (scopekb.render): escaping, finder index, pages, and decision trees against decide().

No MkDocs here: pages are checked as the strings render_site returns, and
Markdown is converted with Python-Markdown the way any engine would.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import assume, given, settings
from hypothesis import example as with_example
from hypothesis import strategies as st

from scopekb.site import pages as render
from scopekb.site import context
from scopekb.words import sentences
from scopekb.coverage.decide import Request, decide
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import Asset, Contract, ScopeEntry, normal_form, slugify
from scopekb.kb.validate import assemble

from kb_builder import DAY, build_kb

REPO = Path(__file__).resolve().parents[1]
EXTENSIONS = ["attr_list", "md_in_html", "admonition", "tables", "toc"]
KINDS = ("incident", "installation", "information", "change")
EVIL = "*Evil* <script>alert(1)</script> [x](y) | # _u_ `c` &amp;"


def to_html(page: str) -> str:
    """A generated Markdown page as a Markdown engine renders it."""
    return markdown.markdown(page, extensions=EXTENSIONS)


class TextOf(HTMLParser):
    """The text a reader sees, and every tag opened."""

    def __init__(self, page: str):
        super().__init__()
        self.text, self.tags = [], []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def words(self) -> str:
        return " ".join("".join(self.text).split())


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The repository's example data (copied, so that the cache never lands in the checkout)."""
    import shutil
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO / "contracts", root / "contracts")
    return load_knowledge_base(root)


EVIL_CONTRACT = f"""\
id: CTR-EVIL
client:
  name: "{EVIL.replace('"', '')}"
  slug: evil
  aliases: ["<b>bold</b>", "[a](http://evil.example)"]
signed: 2025-01-01
services: [incident]
scope:
  - category: office
    level: n1
    items: ["**Word** <img src=x onerror=alert(2)>", "Excel | pipe"]
equipment:
  policy: listed
  items:
    - {{id: "PC-<i>1</i>", category: workstations, model: "[link](http://evil.example) _m_"}}
public_notes: "# Heading\\n\\n- list <script>alert(3)</script>"
internal_notes: "<iframe src=x></iframe> **bold** [z](w)"
"""


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory):
    kb = build_kb(tmp_path_factory.mktemp("evil"), EVIL_CONTRACT)
    return kb, render.render_site(kb, today=DAY)


# --- escaping -----------------------------------------------------------------

MARKDOWN_PIECES = list("\\`*_{}[]()#+-.!|<>&;:='\"~^ \t\n") + [
    "&amp;", "<b>", "</p>", "<!--", "&#42;", "```", "***", "1. ", "- ", "> ", "    ", "[a](b)", "<http://x>", "{: .c}"]
MARKDOWNISH = st.lists(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(
    MARKDOWN_PIECES), max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(MARKDOWNISH)
def test_any_text_shows_as_itself_in_markdown(text):
    expected = " ".join(text.split())
    assume(expected)
    shown = TextOf(to_html("# " + context.md_escape(text) + "\n\n" + context.md_escape(text)))
    assert [tag for tag, _ in shown.tags] == ["h1", "p"]
    assert shown.words() == f"{expected} {expected}"


def test_client_data_never_becomes_markup(evil_site):
    kb, files = evil_site
    client = kb.clients["evil"]
    pages = {
        "client": to_html(files[context.client_page("evil")]),
        "home": to_html(files[render.HOME_PAGE]),
        "tree": files[context.tree_page("evil")],
    }
    for name, page in pages.items():
        parsed = TextOf(page)
        ours = ("scopekb-checker-data", "scopekb-search-index-wait")  # the checker's data, the finder's script
        tags = {tag for tag, attrs in parsed.tags if attrs.get("id") not in ours}
        assert not tags & {"script", "img", "iframe", "b", "i", "em"}, (name, tags)
        hrefs = [attrs.get("href", "") for tag, attrs in parsed.tags if tag == "a"]
        assert not [h for h in hrefs if "evil.example" in h or h in ("y", "w")], (name, hrefs)
        assert client.name in parsed.words(), name  # shown as text, exactly
    client_text = TextOf(pages["client"]).words()
    for shown in ("<b>bold</b>", "**Word** <img src=x onerror=alert(2)>", "Excel | pipe", "PC-<i>1</i>",
                  "[link](http://evil.example) _m_", "- list <script>alert(3)</script>",
                  "<iframe src=x></iframe> **bold** [z](w)"):
        assert shown in client_text
    head = TextOf(pages["client"])
    assert ("h1", {"id": head.tags[0][1].get("id")}) == head.tags[0] and "Evil" in head.words()
    index = render.read_finder_script(files[render.FINDER_INDEX])
    assert index["clients"][0][0] == client.name


def test_checker_data_cannot_end_its_script(evil_site):
    _, files = evil_site
    page = files[context.client_page("evil")]
    data = re.search(r'<script type="application/json" id="scopekb-checker-data">(.*?)</script>', page, re.S)
    assert data and "<" not in data.group(1)
    assert json.loads(data.group(1))["client"]["name"].startswith("*Evil* <script>")


# --- the home page and the finder ----------------------------------------------------

STATUS_CONTRACTS = [
    """id: A-1\nclient: {name: Alpha}\nsigned: 2024-01-01\nend: 2027-01-01\nservices: [incident]\nscope: []\n""",
    """id: B-1\nclient: {name: Bravo}\nsigned: 2024-01-01\nend: 2025-07-01\nservices: [incident]\nscope: []\n""",
    """id: C-1\nclient: {name: Charlie}\nsigned: 2024-01-01\nend: 2025-05-31\nservices: [incident]\nscope: []\n""",
    """id: D-1\nclient: {name: Delta}\nsigned: 2025-06-02\nservices: [incident, change]\nscope: []\n""",
]


def test_overview_shows_each_contract_status(tmp_path):
    kb = build_kb(tmp_path, *STATUS_CONTRACTS)
    page = to_html(render.render_site(kb, today=DAY)[render.HOME_PAGE])
    rows = re.findall(r'<tr><td><a href="([^"]+)">([^<]+)</a></td><td>([^<]+)</td><td>'
                      r'<span class="scopekb-status scopekb-status--([a-z-]+)">', page)
    # Bravo's contract ends within 90 days: a client to watch, first (site/health.py); the others by name.
    assert [(url, name, cid, status) for url, name, cid, status in rows] == [
        ("clients/bravo.html", "Bravo", "B-1", "expiring"), ("clients/alpha.html", "Alpha", "A-1", "in-force"),
        ("clients/charlie.html", "Charlie", "C-1", "expired"), ("clients/delta.html", "Delta", "D-1", "not-started")]
    assert [c.status(DAY) for c in kb.contracts] == ["in-force", "expiring", "expired", "not-started"]
    assert re.findall(r"<td>([^<]*)</td></tr>", page) == ["fin dans 30 j", "", "", ""]
    assert "incident, évolution ou nouveau besoin" in page


def test_overview_comes_in_tables_of_a_set_number_of_rows(tmp_path, monkeypatch):
    """Each part is rendered by the browser only near the viewport: rows keep their order, every part
    has its column headers, the caption comes once."""
    monkeypatch.setattr(render, "OVERVIEW_ROWS_PER_TABLE", 3)
    kb = build_kb(tmp_path, *STATUS_CONTRACTS, STATUS_CONTRACTS[0].replace("A-1", "A-2"))
    page = to_html(render.render_site(kb, today=DAY)[render.HOME_PAGE])
    parts = re.findall(r'<div class="scopekb-overview__part">\s*<table class="scopekb-overview">(.*?)</table>\s*</div>',
                       page, re.S)
    assert [re.findall(r'<tr><td><a href="[^"]+">[^<]+</a></td><td>([^<]+)</td>', part) for part in parts] == [
        ["B-1", "A-1", "A-2"], ["C-1", "D-1"]]
    assert [part.count("<caption>") for part in parts] == [1, 0]
    assert all(part.count('<th scope="col">') == 6 for part in parts)


def test_home_has_a_focused_finder_on_its_index(example):
    files = render.render_site(example, today=DAY)
    page = to_html(files[render.HOME_PAGE])
    finder = dict(next(attrs for tag, attrs in TextOf(page).tags if attrs.get("id") == "scopekb-finder"))
    assert finder["data-index"] == render.FINDER_INDEX and render.FINDER_INDEX in files
    assert finder["data-client-url"] == "clients/{slug}.html"  # whatever use_directory_urls says
    field = next(attrs for tag, attrs in TextOf(page).tags if tag == "input")
    assert "autofocus" in field and field["role"] == "combobox"
    assert files[render.HOME_PAGE].startswith("---\nsearch:\n  exclude: true\n---\n")


def test_finder_index_holds_every_name_alias_asset_and_model(example):
    index = render.read_finder_script(render.render_site(example, today=DAY)[render.FINDER_INDEX])
    models = {text: norm for text, norm in index["models"]}
    assert all(normal_form(text) == norm for text, norm in models.items())
    by_name = {entry[0]: entry for entry in index["clients"]}
    assert list(by_name) == [c.name for c in example.clients.values()]
    for client in example.clients.values():
        name, slug, names, asset_ids, asset_models = by_name[client.name]
        names = names.split("|")
        assert names[0] == normal_form(client.name)
        assert (slug or names[0].replace(" ", "-")) == client.slug
        # exactly the forms `scopekb check` names a client by, and finds its candidates in
        assert set(names) == {form for form, owner in example.names.items() if owner == client.slug}
        assert set(names) == {normal_form(t) for t in (client.name, *client.aliases, client.slug)}
        assets = {a.id: a.model for c in client.contracts for a in c.equipment}
        assert (asset_ids.split("|") if asset_ids else []) == list(assets)
        assert [index["models"][m][0] if m >= 0 else None for m in asset_models] == list(assets.values())


def test_finder_index_is_a_script_that_any_page_can_load(example):
    """A script setting a global, not JSON fetched by XHR: a site opened from disk (file://) loads it."""
    script = render.render_site(example, today=DAY)[render.FINDER_INDEX]
    assert render.FINDER_INDEX.endswith(".js") and script.startswith(f"window.{render.FINDER_GLOBAL} = JSON.parse(")
    assert render.read_finder_script(script) == render.finder_index(example)


def test_finder_index_stays_under_a_megabyte_at_5000_clients(example):
    models = ["HP ProDesk 400 G7", "Lenovo ThinkCentre M70q", "Brother HL-L5100DN", "Dell PowerEdge T150"]
    contracts = []
    for n in range(5000):
        name = f"Entreprise Générale {n:04d} & Associés"
        assets = tuple(Asset(f"PC-{n:05d}-{k}", "workstations", models[(n + k) % 4], dt.date(2024, 1, 1))
                       for k in range(4))
        contracts.append(Contract(
            id=f"CTR-{n:05d}", client_name=name, client_slug=slugify(name), aliases=(f"CL{n:05d}",),
            signed=dt.date(2024, 1, 1), start=dt.date(2024, 1, 1), end=None, services=("incident",),
            remote_installation=False, scope=(ScopeEntry("workstations", "n1"),), policy="all",
            equipment=assets, escalate_to=None, may_propose=(), source=f"contracts/c{n}.yaml"))
    kb = assemble(example.provider, contracts)
    size = len(render.finder_script(kb).encode())
    assert size <= 1_000_000, size


# --- client pages ------------------------------------------------------------------------

def test_client_page_shows_the_contract_and_the_engine_verdict_per_asset(example):
    today = dt.date(2026, 11, 26)
    files = render.render_site(example, today=today)
    for client in example.clients.values():
        page = to_html(files[context.client_page(client.slug)])
        text = TextOf(page).words()
        assert f'data-client="{client.slug}"' in page
        for contract in client.contracts:
            assert contract.id in text and contract.signed.isoformat() in text
            for entry in contract.scope:
                assert example.provider.catalog[entry.category].label in text
            rows = {}
            for row in re.findall(r"<tr><td>(.*?)</td>.*?scopekb-covered--(\w+)\">[^<]*</span> "
                                  r"<span>(.*?)</span></td></tr>", page):
                rows[html.unescape(row[0])] = (row[1], html.unescape(row[2]))
            for asset in contract.equipment:
                decision = decide(example, Request(client.slug, today, asset=asset.id))
                state = {"handle": "yes", "route": "yes", "ask": "ask"}.get(decision.verdict, "no")
                assert rows[asset.id] == (state, " ".join(t for _, t in decision.reasons)), asset.id
        tree_link = next(a for tag, a in TextOf(page).tags if tag == "a" and "md-button" in a.get("class", ""))
        assert tree_link["href"] == f"../arbres/{client.slug}.html"


def test_client_page_lists_routing_and_escalation(example):
    files = render.render_site(example, today=DAY)
    text = TextOf(to_html(files[context.client_page("editions-marchand-cie")])).words()
    assert "Applications bureautiques non standards : routé vers Support N2 applications métier" in text
    assert "Installations (niveau N1) : réalisées par téléphone par Helpdesk N1" in text
    assert "Équipe d'escalade : Responsable du support (01 84 25 60 10)" in text


def test_tree_page_is_a_title_and_html_linking_back_to_its_client(example):
    files = render.render_site(example, today=DAY)
    title, body = context.split_html_page(files[context.tree_page("menuiserie-berard-fils")])
    assert title == "# Arbre de décision : Menuiserie Bérard &amp; Fils\n"  # md_escape: no markup
    parsed = TextOf(body)
    links = {attrs["href"] for tag, attrs in parsed.tags if tag == "a"}
    assert "../clients/menuiserie-berard-fils.html" in links
    assert {"script"} & {tag for tag, _ in parsed.tags} == set()
    assert "HORS PÉRIMÈTRE" in parsed.words() and "PRIS EN CHARGE" in parsed.words()


# --- call reception, language, paths ----------------------------------------------------------

def test_call_reception_page_has_the_checklist_and_a_labelled_form(example):
    page = to_html(render.render_site(example, today=DAY)[render.CALL_PAGE])
    parsed = TextOf(page)
    text = parsed.words()
    for step in ("Accueillir l'appelant", "Identifier l'appelant", "nom de l'entreprise", "rôle de l'appelant",
                 "Enregistrer la demande", "ticket d'incident", "Pré-qualifier", "recevable",
                 "numéro de bureau", "FICHE D'ASSISTANCE UTILISATEUR"):
        assert step in text, step
    fields = [attrs["id"] for tag, attrs in parsed.tags if tag in ("input", "textarea")]
    labelled = {attrs.get("for") for tag, attrs in parsed.tags if tag == "label"}
    assert fields and set(fields) <= labelled
    assert '<a href="index.md">' in page  # the finder, resolved by the site engine


def test_english_site(example):
    files = render.render_site(example, lang="en", today=DAY)
    assert "Find a client" in files[render.HOME_PAGE]
    assert "USER ASSISTANCE FORM" in files[render.CALL_PAGE]
    client = TextOf(to_html(files[context.client_page("menuiserie-berard-fils")])).words()
    assert "Escalation team: Responsable du support" in client and "Perimeter" in client
    tree = files[context.tree_page("menuiserie-berard-fils")]
    assert "OUT OF SCOPE" in tree and tree.startswith("# Decision tree: ")
    for words in (sentences("fr"), sentences("en")):
        assert words("tree.title", client="X")
    with pytest.raises(ValueError):
        render.render_site(example, lang="de")


def test_generated_paths(example):
    files = render.render_site(example, today=DAY)
    slugs = list(example.clients)
    assert {render.HOME_PAGE, render.CALL_PAGE, render.FINDER_INDEX} <= set(files)
    assert {f"assets/scopekb/{n}" for n in ("scopekb.css", "site.js", "finder.js", "checker.js", "checker-shared.js")
            } <= set(files)
    assert {p for p in files if p.startswith(("clients/", "arbres/"))} == {
        path for slug in slugs for path in (f"clients/{slug}.md", f"arbres/{slug}.md")}
    title, body = context.split_html_page(files[context.client_page(slugs[0])])
    assert title.startswith("# ") and body.startswith('<div class="scopekb-client">')
    assert context.split_html_page(files[render.CALL_PAGE]) is None
    assert [level for level, _, _ in context.html_headings(body)][:3] == [2, 2, 3]


@given(st.text(alphabet=['i', 'd', '=', '"', ' ', '\n', '\xa0', 'x', '<', '>'], max_size=80)
       | st.lists(st.sampled_from([' id="', 'x', '"', ' ', 'id=']), max_size=12).map("".join))
@with_example(' id="x id="y" id=""z"')
def test_html_ids_finds_what_the_regular_expression_finds(html):
    """site/context.py html_ids, written with str.find for speed, against the expression it stands for."""
    from scopekb.site.context import html_ids

    assert html_ids(html) == re.findall(r'\sid="([^"]+)"', html)
    page = f'<h2 id="a b">T</h2>\n<div class="x" id="{html}">{html}</div>'
    assert html_ids(page) == re.findall(r'\sid="([^"]+)"', page)
