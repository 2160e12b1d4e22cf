"""What every page of a rendering shares: paths, escaping, templates, words, and `SiteContext`.

No MkDocs here. Escaping: HTML templates autoescape; Markdown templates pass
every `{{ }}` through `md_escape`, so that no client name, note or item ever
becomes markup.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re
import types
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from scopekb.kb.model import Article, Contract, KnowledgeBase
from scopekb.kb.model import REQUEST_KINDS as KIND_ORDER
from scopekb.words import catalogue, message, sentences

ASSET_DIR = "assets/scopekb"


def client_page(slug: str) -> str:
    return f"clients/{slug}.md"


def client_html(slug: str) -> str:
    # The built client page, whatever use_directory_urls says (the plugin sets it): a folder
    # per client would cost every build a directory to create and one to delete per client.
    return f"clients/{slug}.html"


def tree_page(slug: str) -> str:
    return f"arbres/{slug}.md"


def category_page(category_id: str) -> str:
    return f"categories/{category_id}.md"


def page_url(path: str, directory_urls: bool) -> str:
    """The URL MkDocs gives the page of `path` (a .md path in the docs folder), from the site's root: quoted
    as MkDocs quotes it (an article file `a b#c.md` is at `a%20b%23c/`, not at `a b` with a fragment)."""
    stem = path.removesuffix(".md")
    folder, _, name = stem.rpartition("/")
    if name in ("index", "README"):
        return quote(f"{folder}/") if folder else "./"
    return quote(f"{stem}/" if directory_urls else f"{stem}.html")


def depth_of(url: str) -> int:
    """How many folders below the site's root the page at `url` is."""
    return 0 if url in ("", "./") else url.count("/")


def tree_html(slug: str) -> str:
    # As client_html: one folder, whatever use_directory_urls says.
    return f"arbres/{slug}.html"


# Folders of the docs folder scopekb knows, whose navigation section MkDocs would title from the folder's
# name, in English whatever the site's language: articles/ (kb.articles.ARTICLES_DIR), categories/ (a page per
# catalogue category), and scenarios/, where knowledge bases made by earlier versions keep their scenarios.
NAV_SECTIONS = ("articles", "categories", "scenarios")


def section_title(title: str, folder: str, lang: str) -> str:
    """The title of the navigation section for `folder`: the catalogue's (nav.FOLDER) when MkDocs derived
    `title` from a folder scopekb knows ("articles" -> "Articles"), else `title` as it is."""
    if folder in NAV_SECTIONS and title == folder.replace("-", " ").replace("_", " ").capitalize():
        return message(lang, f"nav.{folder}")
    return title


# --- escaping ---------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def md_escape(value: object) -> str:
    """Text that Markdown shows as it is: no emphasis, link, heading, table cell or HTML.

    `Markup` values are trusted markup made by this module and pass unchanged.
    """
    if isinstance(value, Markup):
        return str(value)
    text = " ".join(str(value).split())  # one line, and no indent that would make a code block
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def paragraphs(text: str) -> list[str]:
    """Free text (notes) as paragraphs: blank lines separate them, other line breaks are spaces."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


# Pages made of generated HTML: a Markdown title, then the HTML after this mark.
# Any Markdown engine shows them as they are (raw HTML); the MkDocs plugin skips
# Markdown for the HTML part, which it would only copy, slowly.
GENERATED_HTML = "<!-- scopekb: generated HTML -->"
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="headerlink"')


def html_page(title: str, body: str, front_matter: str = "") -> str:
    return f"{front_matter}# {md_escape(title)}\n\n{GENERATED_HTML}\n{body}\n"


def split_html_page(markdown: str) -> tuple[str, str] | None:
    """(Markdown title part, HTML part) of a page made by `html_page`, else None."""
    head, mark, body = markdown.partition(f"\n{GENERATED_HTML}\n")
    return (head, body) if mark else None


def html_headings(html: str) -> list[tuple[int, str, str]]:
    """(level, id, title as HTML) of the h2 and h3 of a generated page, for its table of contents."""
    return [(int(level), anchor, title) for level, anchor, title in _HEADING.findall(html)]


def html_ids(html: str) -> list[str]:
    """The ids of the elements of `html`: the anchors a link into the page may name. Each is an `id="..."`
    after a white space, as the regular expression `\\sid="([^"]+)"` finds them, but found with str.find,
    in a fifth of the time (a build reads megabytes of pages)."""
    found, find = [], html.find
    at = find('id="', 1)  # a space goes before
    while at >= 0:
        end = find('"', at + 4)
        if end < 0:
            break
        if end > at + 4 and html[at - 1].isspace():
            found.append(html[at + 4:end])
            at = find('id="', end + 1)
        else:
            at = find('id="', at + 1)
    return found


@dataclass(frozen=True)
class Body:
    """A generated page's HTML under its title, with what MkDocs reads of it (its headings, for the table
    of contents; its ids, for its check of links to anchors): read where the HTML is made, the build's
    second process, rather than in the building one."""
    html: str
    headings: list[tuple[int, str, str]]
    ids: list[str]

    @classmethod
    def of(cls, html: str) -> "Body":
        return cls(html, html_headings(html), html_ids(html))


def url_part(text: str) -> str:
    return quote(text, safe="")


# --- templates and words ----------------------------------------------------

# What templates read as `row.name`: attributes, which Jinja finds at once, where a dict's keys
# cost it a failed attribute lookup first (thousands per page).
Fields = types.SimpleNamespace


def _read_template(name: str) -> str:
    return importlib.resources.files("scopekb.site_templates").joinpath(name).read_text("utf-8")


@functools.lru_cache(maxsize=None)
def _environments() -> tuple[jinja2.Environment, jinja2.Environment]:
    loader = jinja2.FunctionLoader(_read_template)
    html = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined)
    markdown = jinja2.Environment(loader=loader, autoescape=False, finalize=md_escape, trim_blocks=True,
                                  lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    html.tests["leaf"] = lambda node: hasattr(node, "decision")
    return html, markdown


def compile_templates(*templates: str) -> None:
    """Compile these HTML templates now (render_html would on first use): a process that waits for its
    work can do it while it waits."""
    for template in templates:
        _environments()[0].get_template(template)


def render_html(template: str, **context: object) -> Markup:
    return Markup(_environments()[0].get_template(template).render(**context))


def render_markdown(template: str, **context: object) -> str:
    return _environments()[1].get_template(template).render(**context)


def package_folders() -> list[Path]:
    """The folders of scopekb's templates and words, where they are files (not inside an archive)."""
    found = []
    for package in ("scopekb.site_templates", "scopekb.words"):
        folder = importlib.resources.files(package)
        if isinstance(folder, Path):
            found.append(folder)
    return found


def static_asset(name: str) -> str | None:
    path = importlib.resources.files("scopekb.site_templates").joinpath("assets", name)
    return path.read_text("utf-8") if path.is_file() else None


# --- the site ---------------------------------------------------------------

class SiteContext:
    """What every page of one rendering shares: data, language, date, URL style."""

    def __init__(self, kb: KnowledgeBase, lang: str, today: dt.date, directory_urls: bool):
        self.kb, self.lang, self.today, self.directory_urls = kb, lang, today, directory_urls
        self.t = sentences(lang)
        # The site's sentences without fields, escaped once: templates write hundreds per page.
        self.w = {key: escape(text) for key, text in catalogue(lang).items()}
        self.permalink = self.w["word.permalink"]

    def heading(self, level: int, anchor: str, text: str) -> Markup:
        """A heading with its permalink, as Markdown's toc extension writes them."""
        anchor = escape(anchor)
        return Markup(f'<h{level} id="{anchor}">{escape(text)}<a class="headerlink" href="#{anchor}" '
                      f'title="{self.permalink}">¶</a></h{level}>')

    def markdown(self, key: str, **fields: object) -> Markup:
        """A sentence of the catalogue whose Markdown (bold, italics, a link) a Markdown page keeps.

        The catalogue is ours, so its markup is trusted, and only where a template asks for it with this;
        the fields are escaped unless `Markup` (a link target the code chose): no contract data may ever
        become markup this way.
        """
        return Markup(self.t(key, **{name: md_escape(value) for name, value in fields.items()}))

    @property
    def colon(self) -> str:
        return self.t("word.colon")

    def say(self, key: str, **fields: object) -> str:
        """A sentence of the catalogue, `str.format`ted as the verdict engine does."""
        return message(self.lang, key, **fields)

    def kinds(self, services: tuple[str, ...]) -> str:
        return ", ".join(self.say(f"kind.{k}") for k in KIND_ORDER if k in services)

    def period(self, contract: Contract) -> str:
        if contract.end is None:
            return self.t("period.from", start=contract.start.isoformat())
        return self.t("period.from-to", start=contract.start.isoformat(), end=contract.end.isoformat())

    def team(self, team_id: str) -> str:
        team = self.kb.provider.teams[team_id]
        return team.label

    @functools.cached_property
    def articles_by_category(self) -> dict[str, list[Article]]:
        """The articles filed under each category, in file order."""
        found: dict[str, list[Article]] = {}
        for article in self.kb.articles:
            for category in article.categories:
                found.setdefault(category, []).append(article)
        return found

    def url(self, path: str, from_depth: int = 0) -> str:
        """The URL of the page of `path` (.md, in the docs folder) from a page `from_depth` folders down."""
        return "../" * from_depth + page_url(path, self.directory_urls)

    def article_links(self, category: str, from_depth: int, limit: int) -> list[tuple[str, str]]:
        """(URL, title) of the first `limit` articles of `category`."""
        return [(self.url(a.page, from_depth), a.title) for a in self.articles_by_category.get(category, ())[:limit]]

    def client_url(self, slug: str, from_depth: int = 0) -> str:
        """URL of a client page from a page `from_depth` folders below the site root."""
        return self.client_url_pattern(from_depth).replace("{slug}", url_part(slug))

    def client_url_pattern(self, from_depth: int = 0) -> str:
        up = "../" * from_depth
        return up + client_html("{slug}")
