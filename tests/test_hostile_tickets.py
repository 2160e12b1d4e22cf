"""Hostile text in a GLPI export: every text cell holds a payload; what comes out is that text, as text.

Tickets are not trusted: callers type their titles and descriptions, technicians their solutions. A GLPI
CSV export is written here as GLPI writes one: the title as typed (`<`, `>`, `&` entity-encoded, `"` as
`''`), the description and the solution as rich text (the typed text escaped into HTML, the HTML
entity-encoded once more). `mine_knowledge_base` must give scenarios whose title, symptoms and resolution
hold the typed text literally: the entities of the export decoded, and the text that decoding gives never
taken for markup (stripped, or kept as tags). The pages that will show scenarios escape that text
(tests/browser/test_hostile_inputs.py has the page-level check ready for them).
"""
from __future__ import annotations

import html
import shlex

import pytest

from hostile_kb import (TICKET_DESCRIPTION as DESCRIPTION, TICKET_SOLUTION as SOLUTION, TICKET_TITLES as TITLES,
                        glpi_export as export, glpi_plain, glpi_rich, glpi_ticket as ticket, payload)
from kb_builder import ALPHA, write_kb
from scopekb.kb.load import load_knowledge_base
from scopekb.tickets import mine_knowledge_base, read_tickets
from scopekb.tickets.read_fields import html_to_text, path_segments


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    root = write_kb(tmp_path_factory.mktemp("kb"), {"alpha.yaml": ALPHA})
    rows = [ticket(100 + k, title) for k, title in enumerate(TITLES)]
    # Hostile text in the cells that are not shown as text: client, category, people, group, status, type,
    # dates. Each row is read or reported, never an exception.
    odd = payload("C")
    rows += [ticket(200, TITLES[0], client=glpi_plain(odd)), ticket(201, TITLES[0], category=glpi_plain(odd)),
             ticket(202, TITLES[0], requester=odd, technician=odd, group=odd),
             ticket(203, TITLES[0], status=odd), ticket(204, TITLES[0], kind=odd), ticket(205, TITLES[0], opened=odd)]
    folder = root / "content" / "tickets"
    folder.mkdir(parents=True)
    (folder / "glpi.csv").write_text(export(rows), encoding="utf-8")
    kb = load_knowledge_base(root, use_cache=False)
    return root, mine_knowledge_base(root, kb, lang="fr")


def test_every_text_of_a_ticket_is_read_as_the_text_typed(mined):
    root, _ = mined
    read = read_tickets(root / "content" / "tickets", root=root)
    tickets = {t.id: t for t in read.tickets}
    for k, title in enumerate(TITLES):
        got = tickets[str(100 + k)]
        assert (got.title, got.description, got.solution) == (title, DESCRIPTION, SOLUTION)


def test_scenario_texts_hold_the_payloads_as_text(mined):
    _, result = mined
    scenario = next(s for s in result.scenarios if "100" in s.tickets)
    assert {"100", "101", "102", "103"} <= set(scenario.tickets)
    assert sorted([scenario.title, *scenario.symptoms]) == sorted(TITLES)
    assert scenario.resolution == SOLUTION
    # the command that starts an article from it gives the title back to a shell as one word
    assert shlex.split(scenario_command(scenario))[3] == scenario.title


def scenario_command(scenario) -> str:
    from scopekb.tickets import new_article_command
    return new_article_command(scenario)


def test_hostile_cells_elsewhere_are_reported_or_read_never_raised(mined):
    _, result = mined
    for line in result.problems:
        assert line.startswith("content/tickets/glpi.csv:") and " (expected " in line, line
    # a status and a date that are none: reported (lines 9 and 11); the client, the category, the people,
    # the group and the type are read as they can be (an unknown client, a category found in the title)
    assert [line.split(":")[1] for line in result.problems] == ["9", "11"]
    assert [u.where for u in result.unmapped["unknown-client"]] == ["content/tickets/glpi.csv:6"]


@pytest.mark.parametrize("cell, text", [
    # GLPI's rich text, the markup encoded once, the typed text's own entities once more
    (glpi_rich("<script>alert(1)</script> & co"), "<script>alert(1)</script> & co"),
    # the whole encoded twice (as some exports do): the same text
    (html.escape(glpi_rich("<b>x</b> &lt;")), "<b>x</b> &lt;"),
    # plain HTML (iTop): its tags are markup, its entities text
    ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>b</p>", "<script>alert(1)</script>\nb"),
    # markup in plain HTML is markup: dropped, never kept as tags
    ("<p>a<script>alert(1)</script><img src=x onerror=alert(2)></p>", "aalert(1)"),
    # entity-encoded markup with no typed text of its own
    ("&lt;p&gt;Spouleur red&amp;eacute;marr&amp;eacute;&lt;/p&gt;", "Spouleur redémarré"),
])
def test_rich_text_is_decoded_once_per_layer(cell, text):
    assert html_to_text(cell) == text


@pytest.mark.parametrize("cell, segments", [
    ("Entité racine &gt; Alpha Conseil", ("Entité racine", "Alpha Conseil")),
    ("Entité racine &amp;gt; Alpha Conseil", ("Entité racine", "Alpha Conseil")),  # encoded twice
    ("Entité racine > Alpha > Paris", ("Entité racine", "Alpha", "Paris")),
    # a `>` or an entity typed in a name is the name's: `<i>` is no segment, `&#62;` stays what was typed
    ("Entité racine &gt; &lt;i&gt;Evil&lt;/i&gt;", ("Entité racine", "<i>Evil</i>")),
    ("Entité racine &gt; a&amp;#62;b", ("Entité racine", "a&#62;b")),
])
def test_a_path_is_split_at_its_separators_only(cell, segments):
    assert path_segments(cell) == segments
