"""The scenario pages as data (site/scenarios.py, site/health.py), from facts made by hand: ticket text is
escaped wherever it is shown, paths, commands, durations and health figures."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shlex
import shutil
from pathlib import Path

import pytest

from scopekb.kb.load import load_knowledge_base
from scopekb.site import health as health_module
from scopekb.site import pages, scenarios
from scopekb.site.context import SiteContext
from scopekb.site.search import search_index
from scopekb.tickets.facts import Calls, TicketFacts, UnmappedTicket
from scopekb.tickets.records import Scenario

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 12, 1)
HOSTILE = '<img src=x onerror=alert(1)> **gras** [clic](javascript:alert(2)) `code` # titre'


def scenario(sid: str, title: str, occurrences: int, clients=("hotel-le-belvedere",), category="printers",
             resolution="Spouleur relancé.\nTest OK.", last=dt.datetime(2026, 10, 1, 9, 0)) -> Scenario:
    return Scenario(id=sid, category=category, title=title, symptoms=(HOSTILE, "Rien ne sort"), resolution=resolution,
                    occurrences=occurrences, clients=tuple(clients), unknown_clients=1,
                    first_seen=dt.datetime(2026, 1, 5, 9, 0), last_seen=last,
                    median_time_to_resolve=dt.timedelta(hours=26, minutes=10), n1_share=0.75, levels_known=4,
                    tickets=tuple(str(n) for n in range(1, occurrences + 1)), terms=("a", "b", "c"))


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(REPO / "contracts", root / "contracts")
    base = load_knowledge_base(root, use_cache=False)
    facts = TicketFacts(
        scenarios=(scenario("printers-hostile", HOSTILE, 5), scenario("printers-toner", "Toner vide", 9,
                                                                     clients=("hotel-le-belvedere", "garage-rousseau-freres"))),
        unmapped=(UnmappedTicket("content/tickets/x.csv:3", "7", "unknown-client", HOSTILE),),
        problems=("content/tickets/x.csv:4: Statut: 'Perdu <b>' is not a status (expected ...)",),
        counts={"read": 20, "mined": 14, "in-scenarios": 14, "scenarios": 2, "unknown-client": 1, "files": 1},
        calls=(Calls("garage-rousseau-freres", "printers", dt.date(2026, 3, 1), 4, 4),
               Calls("garage-rousseau-freres", "printers", dt.date(2025, 11, 30), 9, 9),  # before the 12 months
               Calls("hotel-le-belvedere", "office-apps", dt.date(2026, 6, 1), 2, 0)),
        client_tickets={"printers-hostile": {"hotel-le-belvedere": 5},
                        "printers-toner": {"hotel-le-belvedere": 2, "garage-rousseau-freres": 7}})
    return dataclasses.replace(base, tickets=facts)


@pytest.fixture(scope="module")
def files(kb):
    return pages.render_site(kb, today=TODAY)


def test_ticket_text_is_escaped_on_every_page_that_shows_it(kb, files):
    shown = [files[scenarios.scenario_page("printers-hostile")], files[scenarios.INDEX_PAGE],
             files[scenarios.TO_DOCUMENT_PAGE], files[scenarios.UNMAPPED_PAGE], files["categories/printers.md"],
             pages.page_body(SiteContext(kb, "fr", TODAY, True), "client", "hotel-le-belvedere")]
    for text in shown:
        body = text.split("<!-- scopekb: generated HTML -->")[-1]
        assert "<img" not in body and "<b>" not in body and 'href="javascript' not in body
        assert "&lt;img src=x onerror=alert(1)&gt; **gras** [clic](javascript:alert(2))" in body
    # A page's title is Markdown: escaped for it (context.md_escape), so that nothing becomes markup.
    title = files[scenarios.scenario_page("printers-hostile")].splitlines()[0]
    assert title.startswith("# &lt;img src=x onerror=alert\\(1\\)&gt; \\*\\*gras\\*\\* \\[clic\\]")
    index = search_index(SiteContext(kb, "fr", TODAY, True), {}).files()
    assert "scenarios/printers-toner/" in index["assets/scopekb/search-index.js"]


def test_lists_most_frequent_first_and_links_each_way(files):
    todo = files[scenarios.TO_DOCUMENT_PAGE]
    assert todo.index("scenarios/printers-toner/") < todo.index("scenarios/printers-hostile/")
    assert "scopekb new article &#39;Toner vide&#39; --category printers --scenario printers-toner" in todo
    page = files[scenarios.scenario_page("printers-toner")]
    assert "../../categories/printers/" in page and "../../clients/garage-rousseau-freres.html" in page
    assert "<p>Spouleur relancé.</p>\n<p>Test OK.</p>" in page  # one paragraph per line of the resolution
    assert "1 j 2 h" in page and "75 % des 4 tickets dont le niveau est connu" in page
    assert "2 (tickets sans client sous contrat : 1)" in page
    # The maintainers' page says where a bad row is, not what it holds.
    unmapped = files[scenarios.UNMAPPED_PAGE]
    assert "<code>content/tickets/x.csv:4: Statut</code>" in unmapped and "Perdu" not in unmapped


def test_a_client_lists_its_scenarios_by_its_own_tickets(kb):
    body = pages.page_body(SiteContext(kb, "fr", TODAY, True), "client", "hotel-le-belvedere")
    assert body.index("printers-hostile") < body.index("printers-toner")  # 5 of its tickets, then 2
    assert "2 tickets de ce client sur 9" in body
    garage = pages.page_body(SiteContext(kb, "fr", TODAY, True), "client", "garage-rousseau-freres")
    assert "printers-hostile" not in garage and "7 tickets de ce client sur 9" in garage


def test_health_counts_the_last_twelve_months_and_contracts_ending_within_ninety_days(kb):
    site = SiteContext(kb, "fr", TODAY, True)
    states = health_module.health(site)
    assert (states["garage-rousseau-freres"].outside, states["garage-rousseau-freres"].calls) == (4, 4)
    assert (states["hotel-le-belvedere"].outside, states["hotel-le-belvedere"].calls) == (0, 2)
    assert [(c.id, days) for c, days in states["hotel-le-belvedere"].ending] == [("CTR-2023-008", 30)]
    assert health_module.window_start(TODAY) == dt.date(2025, 12, 2)
    home = pages.render_home(site)
    order = list(dict.fromkeys(re.findall(r'href="clients/([^".]+)\.html"', home)))
    assert order[:2] == ["garage-rousseau-freres", "hotel-le-belvedere"]


def test_no_exports_no_scenario_pages_and_no_ticket_sections(tmp_path):
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    kb = load_knowledge_base(tmp_path, use_cache=False)
    files = pages.render_site(kb, today=TODAY)
    assert not [path for path in files if path.startswith("scenarios/")]
    assert "Scénarios" not in files["categories/printers.md"]
    body = pages.page_body(SiteContext(kb, "fr", TODAY, True), "client", "garage-rousseau-freres")
    assert 'id="scenarios"' not in body and "Appels hors périmètre" not in body


def test_paths_commands_and_durations():
    assert scenarios.scenario_page("printers-toner") == "scenarios/printers-toner.md"
    assert scenarios.scenario_page("a-documenter") == "scenarios/a-documenter-scenario.md"  # never a list's page
    assert scenarios.out_of_nav("scenarios/printers-toner.md") and not scenarios.out_of_nav(scenarios.INDEX_PAGE)
    quoted = scenarios.article_command(scenario("printers-x", "L'imprimante du 1er", 3))
    assert quoted == 'scopekb new article "L\'imprimante du 1er" --category printers --scenario printers-x'
    assert shlex.split(quoted)[3] == "L'imprimante du 1er"
    risky = scenarios.article_command(scenario("printers-x", "L'imprimante $HOME", 3))
    assert shlex.split(risky)[3] == "L'imprimante $HOME"  # shlex's quoting, which a shell does not expand
    site = SiteContext(load_knowledge_base(REPO, use_cache=False), "en", TODAY, True)
    assert [scenarios.duration(site, dt.timedelta(minutes=m)) for m in (45, 125, 60 * 50)] == [
        "45 min", "2 h 5 min", "2 d 2 h"]
    assert scenarios.duration(site, None) == "unknown"
