"""The MkDocs page of a generated page (a client's, a decision tree): made without a parser of its own.

Such a page is a title and ready HTML (site.context.html_page). MkDocs makes a
Markdown parser for every page, which costs such a page more than its title:
GeneratedPage takes its title from `Titles`, which converts the titles of all
of them in one document, and its HTML from the build's second process when
MkDocs builds the page. The page comes out byte for byte as MkDocs makes it
with `fast: false` (tests/test_plain_path.py).
"""
from __future__ import annotations

import re

from markdown import Markdown
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents, get_toc

from scopekb.mkdocs_plugin.frame import TEMPLATE as FRAMED
from scopekb.site.context import Body, html_ids, split_html_page

_ONE_HEADING = re.compile(r"# [^\n]*\n?")  # what html_page makes of a title
_COUNTED_ID = re.compile(r"_\d+$")  # the toc extension's suffix for an id already taken


def add_headings(toc: TableOfContents, headings: list[tuple[int, str, str]]) -> None:
    """The title's entry of a generated page's table of contents gets the headings of its HTML
    (site.context.html_headings), h3 under h2."""
    if toc.items:
        title = toc.items[0]
        for level, anchor, text in headings:
            parent = title.children[-1] if level == 3 and title.children else title
            parent.children.append(AnchorLink(text, anchor, level))


class Titles:
    """The Markdown titles of a build's generated pages, converted as one document.

    Converting a one-line title costs Python-Markdown little more than its run
    over a document: thousands of them take a tenth of a second more one by one.
    Within one document, the titles differ from titles converted alone only by
    the ids the toc extension makes unique across the document with a `_N`
    suffix; a title whose id has such a suffix is converted again alone, as is
    a page whose Markdown is not the one expected.
    """

    def __init__(self, parser: Markdown):
        self.parser = parser
        self.expected: dict[str, str] = {}  # page path -> its title's Markdown
        self.converted: dict[str, tuple[str, list, str]] = {}  # page path -> (HTML, toc tokens, Markdown)

    def expect(self, path: str, markdown: str) -> None:
        if _ONE_HEADING.fullmatch(markdown):
            self.expected[path] = markdown

    def convert(self, path: str, markdown: str) -> tuple[str, list]:
        """The HTML and the toc extension's tokens of the title of `path`, as converting it alone gives."""
        if path in self.expected:
            self._convert_expected()
        html, tokens, source = self.converted.pop(path, (None, None, None))
        if html is not None and source == markdown:
            return html, tokens
        return self._alone(markdown)

    def _alone(self, markdown: str) -> tuple[str, list]:
        self.parser.reset()
        html = self.parser.convert(markdown)
        return html, getattr(self.parser, "toc_tokens", [])

    def _convert_expected(self) -> None:
        paths, sources = list(self.expected), list(self.expected.values())
        self.expected.clear()
        self.parser.reset()
        lines = self.parser.convert("\n".join(source.rstrip("\n") + "\n" for source in sources)).split("\n")
        tokens = getattr(self.parser, "toc_tokens", [])
        self.parser.reset()
        if len(lines) != len(paths) or len(tokens) != len(paths):
            return  # a configuration whose titles do not come out one line and one entry each: one by one
        for path, source, line, token in zip(paths, sources, lines, tokens):
            if (line.startswith("<h1") and token["level"] == 1 and not token["children"]
                    and f' id="{token["id"]}"' in line and not _COUNTED_ID.search(token["id"])):
                self.converted[path] = (line, [token], source)


class GeneratedPage(Page):
    """A generated page: its title now, from the shared `Titles`; its HTML later (`add_body`)."""

    def __init__(self, file: File, config, titles: Titles):
        super().__init__(None, file, config)
        self.titles = titles
        self.waits_for_body = False
        self.heading = self.body = ""

    def render(self, config, files) -> None:
        parts = split_html_page(self.markdown or "")
        if parts is None:  # changed by another plugin: MkDocs' own way
            return super().render(config, files)
        self.heading, tokens = self.titles.convert(self.file.src_uri, parts[0])
        self.content = f"{self.heading}\n"
        self.toc = get_toc(tokens)
        self._title_from_render = self.toc.items[0].title if self.toc.items else None
        self.meta["template"] = FRAMED  # the theme's frame, filled in (plugin_frame.py); see `picked_template`
        self.waits_for_body = True

    def add_body(self, body: Body) -> None:
        self.body = body.html
        self.content += body.html
        add_headings(self.toc, body.headings)
        self.present_anchor_ids = set(html_ids(self.heading)) | set(body.ids)
        self.waits_for_body = False

    def picked_template(self) -> None:
        """MkDocs has picked the page's template: the page's metadata is again its own, since the theme
        reads it (any metadata changes Material's page)."""
        if self.meta.get("template") == FRAMED:
            del self.meta["template"]
