"""The MkDocs page of a generated page (a client's, a decision tree): made without a parser of its own.

Such a page is a title and ready HTML (site.context.html_page). MkDocs makes a
Markdown parser for every page, which costs such a page more than its title:
GeneratedPage converts the title with one parser shared by all of them, and
takes its HTML from the build's second process when MkDocs builds the page.
The page comes out byte for byte as MkDocs makes it with `fast: false`
(tests/test_plain_path.py).
"""
from __future__ import annotations

import re

from markdown import Markdown
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

from scopekb.mkdocs_plugin.frame import TEMPLATE as FRAMED
from scopekb.site.context import html_headings, split_html_page

_ID = re.compile(r'\sid="([^"]+)"')


def add_headings(toc: TableOfContents, body: str) -> None:
    """The title's entry of a generated page's table of contents gets the headings of its HTML, h3 under h2."""
    if toc.items:
        title = toc.items[0]
        for level, anchor, text in html_headings(body):
            parent = title.children[-1] if level == 3 and title.children else title
            parent.children.append(AnchorLink(text, anchor, level))


class GeneratedPage(Page):
    """A generated page: its title now, with the shared parser; its HTML later (`add_body`)."""

    def __init__(self, file: File, config, title_parser: Markdown):
        super().__init__(None, file, config)
        self.title_parser = title_parser
        self.waits_for_body = False
        self.heading = self.body = ""

    def render(self, config, files) -> None:
        parts = split_html_page(self.markdown or "")
        if parts is None:  # changed by another plugin: MkDocs' own way
            return super().render(config, files)
        self.title_parser.reset()
        self.heading = self.title_parser.convert(parts[0])
        self.content = f"{self.heading}\n"
        self.toc = get_toc(getattr(self.title_parser, "toc_tokens", []))
        self._title_from_render = self.toc.items[0].title if self.toc.items else None
        self.meta["template"] = FRAMED  # the theme's frame, filled in (plugin_frame.py); see `picked_template`
        self.waits_for_body = True

    def add_body(self, body: str) -> None:
        self.body = body
        self.content += body
        add_headings(self.toc, body)
        self.present_anchor_ids = set(_ID.findall(self.content))
        self.waits_for_body = False

    def picked_template(self) -> None:
        """MkDocs has picked the page's template: the page's metadata is again its own, since the theme
        reads it (any metadata changes Material's page)."""
        if self.meta.get("template") == FRAMED:
            del self.meta["template"]
