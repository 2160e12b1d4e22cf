"""The search sections of a client page, from what its template shows rather than from its HTML.

Reading a client page's HTML into the sections Material's search makes of it
(render_search.py) took 0.38 s for 1,000 client pages; writing them from the
data, 0.1 s. The page comes from client.html.j2 alone, so its sections can be
written from the same variables (render.client_view): the texts between its
tags, in order, go through the rules of Material's parser (`SectionWriter`),
the tags the index keeps (p, li, ul) as tags, the others as the mere end of a
text. The titles and texts come out as Material's parser reads them from the
page (tests/test_render_client_search.py compares them on the example data, on
markup-laden data and on generated knowledge bases, in both languages; the
test of the whole index, in test_build.py, too). Change client.html.j2, change
this too.
"""
from __future__ import annotations

import html as html_lib

from scopekb.site.pages import Fields
from scopekb.mkdocs_plugin.search_sections import search_sections, search_view

Section = list  # [tag, depth, id, title parts, text parts], as search_sections holds them


class SectionWriter:
    """Sections as Material's search parser makes them from the texts between a page's tags.

    Each call of `data` is one text between two tags: where a page has two texts apart (around a
    tag the index drops), two calls, as the parser joins runs of white space only within one.
    """

    def __init__(self, sections: list[Section]):
        self.sections = sections
        self.current = sections[-1]

    def heading(self, tag: str, anchor: str, title: str) -> None:
        """A heading with an id, inside the page's <div>, and its permalink (which the index skips)."""
        text = " " if title.isspace() else html_lib.escape(title.replace("\n", " "), quote=False)
        self.current = [tag, 2, anchor, [text] if title else [], []]
        self.sections.append(self.current)

    def leave_page_div(self) -> None:
        """The parser goes back to the first section once out of the element holding the headings."""
        self.current[1] = float("inf")
        self.current = self.sections[0]

    def data(self, text: str) -> None:
        """A text between two tags: white space alone is one space, unless a space came last."""
        if not text:
            return
        parts = self.current[4]
        if text.isspace():
            if not parts or not parts[-1].isspace():
                parts.append(" ")
        else:
            parts.append(html_lib.escape(text.replace("\n", " "), quote=False))

    def start(self, tag: str) -> None:
        self.current[4].append(f"<{tag}>")

    def end(self, tag: str) -> None:
        parts = self.current[4]
        start = parts.index(f"<{tag}>")  # the first, as the parser looks it up
        if all(part.isspace() for part in parts[start + 1:]):
            del parts[start:]
        else:
            parts.append(f"</{tag}>")

    def element(self, tag: str, *texts: str) -> None:
        """<tag>…</tag> holding these texts (apart, around tags the index drops), then a line break."""
        self.start(tag)
        for text in texts:
            self.data(text)
        self.end(tag)
        self.data("\n")

    def table(self, head: list[list[str]], rows: list[list[list[str]]]) -> None:
        """A table whose cells hold these texts: a space between two cells, a line break after each row."""
        self.data("\n")  # after <table>
        for row in (head, *rows):
            for n, cell in enumerate(row):
                if n:
                    self.data(" ")
                for text in cell:
                    self.data(text)
            self.data("\n")  # after </thead> or </tr>
            if row is head:
                self.data("\n")  # after <tbody>
        self.data("\n")  # after </tbody>
        self.data("\n")  # after </table>

    def bullet_list(self, lines: list[str]) -> None:
        """<ul> with an <li> per line, each on a line of its own."""
        self.start("ul")
        self.data("\n")
        for line in lines:
            self.element("li", line)
        self.end("ul")
        self.data("\n")


def client_sections(view: dict, title_heading: str) -> list[tuple] | None:
    """The sections of a client page: its title's heading (`<h1 id=…>…</h1>`), a line break, then
    client.html.j2's HTML for `view`; None when the heading is not one section (left to search_sections)."""
    head = search_sections(search_view(title_heading))
    if not head or len(head) != 1 or head[0][0] != "h1":
        return None
    out = SectionWriter([list(head[0])])
    t, client = view["t"], view["client"]
    out.data("\n")  # between the title and the page's <div>
    out.data("\n")
    if client.aliases:
        out.element("p", f"{t('client.aliases')}{t('word.colon')} {', '.join(client.aliases)}")
    out.element("p", t("client.tree-link"))
    out.heading("h2", "scopekb-check", t("client.checker"))
    out.data("\n")
    out.element("p", t("client.checker-intro"))
    out.data("\n")  # between the checker's element and its data, a script the index skips
    out.data("\n")
    out.heading("h2", "contracts", t("client.contracts"))
    out.data("\n")
    for item in view["contracts"]:
        _contract(out, view, item)
    out.heading("h2", "teams", t("client.teams"))
    out.data("\n")  # around the table of teams, out of the index
    out.data("\n")
    out.leave_page_div()
    out.data("\n")
    return [tuple(section) for section in out.sections]


def _contract(out: SectionWriter, view: dict, item: Fields) -> None:
    t, colon = view["t"], view["t"]("word.colon")
    c, catalog, team = item.c, view["catalog"], view["team"]
    out.heading("h3", item.anchor, c.id)
    out.data("\n")
    out.start("ul")
    out.data("\n")
    out.element("li", t("client.parties"), f"{colon} {view['provider'].name} ({t('client.party-provider')}), "
                f"{view['client'].name} ({t('client.party-client')})")
    out.element("li", t("client.signed"), f"{colon} {c.signed.isoformat()} ; ", t("client.start"),
                f"{colon} {c.start.isoformat()} ; ", t("client.end"),
                f"{colon} {c.end.isoformat() if c.end else t('client.no-end')}")
    out.data("\n")  # after the status line, out of the index
    out.element("li", t("client.services"), f"{colon} {view['kinds'](c.services)}")
    out.element("li", t("client.remote-installation"),
                f"{colon} {t('word.yes') if c.remote_installation else t('word.no')}")
    if c.source:
        out.data("\n")  # after the source file's line, out of the index
    out.end("ul")
    out.data("\n")
    out.heading("h4", f"{item.anchor}-perimeter", t("client.perimeter"))
    out.data("\n")
    if c.scope:
        out.table([[t("client.category")], [t("client.items")], [t("client.level")], [t("client.handled-by")]],
                  [[[catalog[e.category].label], [", ".join(e.items) if e.items else t("client.all-items")],
                    [e.level.upper()], [team(e.team or "helpdesk")]] for e in c.scope])
    else:
        out.element("p", t("client.empty-scope"))
    out.heading("h4", f"{item.anchor}-routing", t("client.routing"))
    out.data("\n")
    if item.routing:
        out.bullet_list(item.routing)
    else:
        out.element("p", t("client.routing-none"))
    out.heading("h4", f"{item.anchor}-equipment", t("client.equipment"))
    out.data("\n")
    out.element("p", t(f"client.policy.{c.policy}", signed=c.signed.isoformat()))
    if item.assets:
        # Out of the index: the last column's head, and the reason after each asset's state.
        out.table([[t("client.asset-id")], [t("client.model")], [t("client.category")], [t("client.acquired")], []],
                  [[[a.asset.id], [a.asset.model], [catalog[a.asset.category].label],
                    [a.asset.acquired.isoformat() if a.asset.acquired else t("client.unknown")],
                    [t(f"client.covered.{a.state}"), " "]] for a in item.assets])
    else:
        out.element("p", t("client.no-equipment"))
    out.heading("h4", f"{item.anchor}-out-of-scope", t("client.out-of-scope"))
    out.data("\n")
    out.bullet_list([t("client.escalation", team=team(item.escalation)),
               f"{t('client.may-propose')} {item.proposals}" if c.may_propose else t("client.propose-nothing")])
    if c.public_notes:
        out.heading("h4", f"{item.anchor}-public-notes", t("client.public-notes"))
        out.data("\n")
        for paragraph in item.public_notes:
            out.element("p", paragraph)
    if c.internal_notes:
        out.heading("h4", f"{item.anchor}-internal-notes", t("client.internal-notes"))
        out.data("\n")
        out.data("\n")  # after the admonition's <div>
        out.element("p", t("client.internal-notes-hint"))
        for paragraph in item.internal_notes:
            out.element("p", paragraph)
        out.data("\n")  # after its </div>
