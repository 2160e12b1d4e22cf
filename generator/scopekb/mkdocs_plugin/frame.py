"""The theme's frame around the client pages: rendered once, then filled in for each page.

Client pages all sit in one folder, out of the navigation, with the same
metadata: what the theme puts around one differs from the next only by the
page's title, URL, table of contents and HTML. So the theme renders its page
template once around a stand-in page, whose title, URL, table of contents and
HTML are markers; each client page is then that frame with its own values
where the stand-in's markers were, its table of contents rendered by the
theme's own partial. The theme's page template, most of the building
process's time per page, runs for one client page instead of all.

The table of contents is filled in the same way: Material's partial renders
it once for each shape of it (TocFrames), and the first page of each shape is
compared with what the partial makes of it.

The first client page is also rendered by the theme in full and compared
with its filled frame. If they differ (another theme, a template override
that reads something else of the page), or a page differs from the first in
what the frame holds fixed (metadata, folder, links), the theme renders the
page as usual. tests/test_frame.py builds sites both ways and compares them.

TemplateCache keeps the theme's templates compiled from one build to the next.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemBytecodeCache, pass_context
from markupsafe import Markup, escape
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

log = logging.getLogger("mkdocs.plugins.scopekb")

TEMPLATE = "scopekb/framed-page.html"  # the template a client page names: its filled frame
PAGE_TEMPLATE = "main.html"  # the one MkDocs renders a page with when the page names none
TOC_TEMPLATE = '{% import "partials/language.html" as lang with context %}{% include "partials/toc.html" %}'

# The stand-in's values: markers found nowhere else in a page.
MARKER = "zqx"
SLUG = "zqxslug"
ANCHOR = "zqxanchor"
CONTENT = '<h1 id="zqxanchor">Zqxcontent</h1>\n<h2 id="zqxsection">Zqxsection</h2>\n'
TITLE = "Zqxtitle &amp; <em>x</em>"  # with an entity and a tag, so that each way of showing it differs
TOC_TITLE = "Zqxtoc{}title &amp; <em>x</em>"  # the title of a stand-in entry of a table of contents



def striptags_escaped(value) -> Markup:
    """Jinja's `striptags`, its text escaped again. Jinja's own unescapes the text it keeps ("&lt;" becomes
    "<"), and the theme writes the result into the page as it is (`<title>{{ page.title | striptags }}`):
    a client named `</title><script>...` would run its script. The plugin puts this one in its place."""
    return escape(Markup(str(value)).striptags())


# The ways a template may show the page's title, told apart on the stand-in's. With `striptags_escaped`
# in place, `title|striptags` and `title|striptags|e` show it alike.
TITLE_FORMS = {
    "title": lambda title: title,
    "title|striptags": lambda title: str(striptags_escaped(title)),
    "title|e": lambda title: str(escape(title)),
}
TOC, BODY = "\x00toc\x00", "\x00content\x00"
# What MkDocs gives each page anew: the page, and the time it is built (which Material never shows).
PER_PAGE = {"page", "build_date_utc"}


def stand_in_page(page: Page, config) -> Page:
    """A page like `page` in all but its title, URL, table of contents and HTML, which are markers."""
    folder = page.file.dest_uri.rpartition("/")[0]
    file = File.generated(config, f"{folder}/{SLUG}.md", content="")
    file.dest_uri = f"{folder}/{SLUG}.html"
    stand_in = Page(None, file, config)
    stand_in.title, stand_in.content, stand_in.meta = TITLE, CONTENT, dict(page.meta)
    heading = AnchorLink(TITLE, ANCHOR, 1)
    heading.children.append(AnchorLink("Zqxsection", "zqxsection", 2))
    stand_in.toc = TableOfContents([heading])
    stand_in.edit_url, stand_in.active = page.edit_url, True
    return stand_in


def cut_at(framed: str, names: dict) -> list:
    """`framed` cut wherever a marker's image shows: text at even places, the marker's name at odd places."""
    pattern = "|".join(re.escape(image) for image in sorted(names, key=len, reverse=True))
    parts = re.split(f"({pattern})", framed)
    parts[1::2] = [names[image] for image in parts[1::2]]
    return parts


def frame_parts(framed: str, toc: str) -> list[str] | None:
    """The stand-in's page cut at its markers: text at even places, the name of a value at odd places;
    None if a marker shows in a way not known here."""
    if framed.count(toc) > 1 or framed.count(CONTENT) != 1:  # no table of contents with toc.integrate
        return None
    framed = framed.replace(toc, TOC).replace(CONTENT, BODY)
    names = {TOC: "toc", BODY: "content", f"#{ANCHOR}": "anchor", SLUG: "slug"}
    names.update({form(TITLE): name for name, form in TITLE_FORMS.items()})
    parts = cut_at(framed, names)
    if any(MARKER in text.lower() for text in parts[::2]):
        return None
    return parts


def toc_shape(items: list) -> tuple | None:
    """The shape of a table of contents (each entry's level and children), None if an entry holds more
    than a title and a URL that the theme may show."""
    if any(getattr(item, "typeset", None) for item in items):
        return None
    shapes = tuple((item.level, toc_shape(item.children)) for item in items)
    return None if any(children is None for _, children in shapes) else shapes


def stand_in_toc(shape: tuple, count: list[int]) -> list[AnchorLink]:
    """Entries of this shape whose titles and URLs are markers, numbered in the order of the entries."""
    items = []
    for level, children in shape:
        number = count[0] = count[0] + 1
        item = AnchorLink(TOC_TITLE.format(number), f"zqxtoc{number}x", level)
        item.children = stand_in_toc(children, count)
        items.append(item)
    return items


def entries(items: list) -> list:
    return [entry for item in items for entry in (item, *entries(item.children))]


class TocFrames:
    """A client page's table of contents, Material's partial rendered once per shape of it and filled in.

    The partial shows each entry's title (as it is, and without tags, escaped) and URL; the pages share
    the rest of what it reads (the site's config and language). A frame is used only once it gives, for
    the first page of its shape, what the partial renders for that page.
    """

    def __init__(self, template) -> None:
        self.template = template
        self.parts: dict[tuple, list | None] = {}

    def render(self, values: dict, page: Page) -> str:
        shape = toc_shape(page.toc.items)
        if shape is None:
            return self.template.render(values)
        if shape not in self.parts:
            return self.first_of_shape(values, page, shape)
        parts = self.parts[shape]
        return self.fill(parts, entries(page.toc.items)) if parts else self.template.render(values)

    def first_of_shape(self, values: dict, page: Page, shape: tuple) -> str:
        html = self.template.render(values)
        stand_in = _PageWithToc(TableOfContents(stand_in_toc(shape, [0])))
        framed = self.template.render({**values, "page": stand_in})
        numbers = range(1, len(entries(stand_in.toc.items)) + 1)
        names = {f"#zqxtoc{n}x": (n, "url") for n in numbers}
        names.update({form(TOC_TITLE.format(n)): (n, name) for n in numbers for name, form in TITLE_FORMS.items()})
        parts = cut_at(framed, names)
        # A title shown in a way not known here leaves a marker in the text: the first page then differs.
        self.parts[shape] = parts if self.fill(parts, entries(page.toc.items)) == html else None
        return html

    @staticmethod
    def fill(parts: list, items: list) -> str:
        filled = list(parts)
        for n in range(1, len(filled), 2):
            number, name = filled[n]
            item = items[number - 1]
            filled[n] = item.url if name == "url" else TITLE_FORMS[name](item.title)
        return "".join(filled)


class _PageWithToc:
    """All of a page that Material's table of contents partial reads."""

    def __init__(self, toc: TableOfContents):
        self.toc = toc


class FramedPages:
    """The pages naming TEMPLATE, for one build: `install(env)` once the Jinja environment is made. One
    frame per folder (client pages, decision trees): a page's links depend on its folder."""

    def __init__(self) -> None:
        self.frames: dict[str, Frame] = {}

    def install(self, env: Environment) -> None:
        self.env = env
        env.loader = ChoiceLoader([DictLoader({TEMPLATE: "{{ scopekb_framed_page() }}"}), env.loader])
        env.globals["scopekb_framed_page"] = pass_context(lambda context: self.render(context))

    def render(self, context) -> Markup:
        values = context.get_all()
        folder = values["page"].file.dest_uri.rpartition("/")[0]
        frame = self.frames.get(folder)
        if frame is None:
            frame = self.frames[folder] = Frame(self.env)
        return Markup(frame.render(values))


class Frame:
    """The frame of the pages of one folder: made on the first, filled in for the others that fit it."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.parts: list[str] | None = None
        self.tried = False
        self.fixed: dict = {}  # what the frame holds fixed: the first page's context but PER_PAGE
        self.first: Page | None = None

    def render(self, values: dict) -> str:
        page = values["page"]
        if not self.tried:
            self.tried = True
            html = self.full(values)
            self.parts = self.make_frame(values, page, html)
            return html
        if self.parts is not None and self.fits(values, page):
            return self.fill(values, page)
        return self.full(values)

    def full(self, values: dict) -> str:
        return self.env.get_template(PAGE_TEMPLATE).render(values)

    def make_frame(self, values: dict, page: Page, html: str) -> list[str] | None:
        try:
            stand_in = stand_in_page(page, values["config"])
            self.toc_template = self.env.from_string(TOC_TEMPLATE)
            self.tocs = TocFrames(self.toc_template)
            stand_in_values = {**values, "page": stand_in}
            framed = self.full(stand_in_values)
            if self.full({**stand_in_values, "build_date_utc": dt.datetime(2001, 1, 1)}) != framed:
                log.debug("scopekb: the theme renders every page of this folder (it shows the build time)")
                return None
            parts = frame_parts(framed, self.toc_template.render(stand_in_values))
        except Exception as error:  # a theme without Material's partials, say
            log.debug(f"scopekb: no frame for generated pages ({error})")
            return None
        self.fixed = {key: value for key, value in values.items() if key not in PER_PAGE}
        self.first, self.url, self.canonical_url = page, stand_in.url, stand_in.canonical_url
        if parts is None or not self.fits(values, page) or self.fill(values, page, parts) != html:
            log.debug("scopekb: the theme renders every page of this folder (its frame does not fit the first)")
            return None
        return parts

    def fits(self, values: dict, page: Page) -> bool:
        """Whether `page` differs from the stand-in only by what the frame leaves open."""
        first, name = self.first, page.file.name
        return (page.meta == first.meta and page.edit_url == first.edit_url and bool(page.title)
                and page.previous_page is None and page.next_page is None and not page.is_homepage
                and bool(page.toc.items) and "<h1" in page.content
                and page.url == self.url.replace(SLUG, name)
                and page.canonical_url == (self.canonical_url and self.canonical_url.replace(SLUG, name))
                and len(values) == len(self.fixed) + len(PER_PAGE)
                and all(values.get(key, self) is value or values.get(key, self) == value
                        for key, value in self.fixed.items()))

    def fill(self, values: dict, page: Page, parts: list[str] | None = None) -> str:
        parts = list(parts or self.parts)
        for n in range(1, len(parts), 2):
            name = parts[n]
            if name == "toc":
                parts[n] = self.tocs.render(values, page)
            elif name == "content":
                parts[n] = page.content
            elif name == "anchor":
                parts[n] = page.toc.items[0].url
            elif name == "slug":
                parts[n] = page.file.name
            else:
                parts[n] = TITLE_FORMS[name](page.title)
        return "".join(parts)


class TemplateCache(FileSystemBytecodeCache):
    """The theme's templates compiled by an earlier build (Jinja checks each against its source): a
    build spends a tenth of a second compiling them. Never fails a build: what cannot be read or written
    is compiled again."""

    @classmethod
    def under(cls, folder: Path) -> "TemplateCache | None":
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        return cls(str(folder))

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged entry: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass
