"""The site as data: `render_site` maps page paths to Markdown, HTML and assets.

No MkDocs here: the plugin (plugin.py) injects these files into a MkDocs
build, and `scopekb render` writes them to a folder for any other engine.
Coverage shown on pages (assets covered or not, decision-tree leaves) comes
from the verdict engine (decide.py), never from logic of its own.

Escaping: HTML templates autoescape; Markdown templates pass every `{{ }}`
through `md_escape`, so that no client name, note or item ever becomes markup.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import itertools
import json
import re
import types
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from .decide import Request, decide
from .embed import SHARED_ASSET, checker_html, shared_script
from .i18n import LANGUAGES, message, site_strings
from .model import Client, Contract, KnowledgeBase, normal_form, slugify

AUDIENCES = ("internal",)
HOME_PAGE = "index.md"
CALL_PAGE = "accueil-appel.md"
ASSET_DIR = "assets/scopekb"
FINDER_INDEX = f"{ASSET_DIR}/finder-index.json"
# The home page's overview is cut into tables of this many rows, which the browser lays out only near the
# viewport (scopekb.css): one table of 5,000 rows was styled, laid out and traced by the garbage collector
# as a whole, and held up the finder's first keystrokes after the page loaded.
OVERVIEW_ROWS_PER_TABLE = 100
# Static files shipped in site_templates/assets/ and copied as they are.
STATIC_ASSETS = ("scopekb.css", "site.js", "finder.js", "checker.js")
STYLESHEETS = (f"{ASSET_DIR}/scopekb.css",)
# The checker's shared data (generated) comes before the checker, which reads it when it starts.
SCRIPTS = (f"{ASSET_DIR}/site.js", f"{ASSET_DIR}/finder.js", SHARED_ASSET, f"{ASSET_DIR}/checker.js")
KIND_ORDER = ("incident", "installation", "information", "change")


def client_page(slug: str) -> str:
    return f"clients/{slug}.md"


def client_html(slug: str) -> str:
    # The built client page, whatever use_directory_urls says (the plugin sets it): a folder
    # per client would cost every build a directory to create and one to delete per client.
    return f"clients/{slug}.html"


def tree_page(slug: str) -> str:
    # A plain HTML page rather than Markdown: it needs no theme, prints as it is, and costs
    # the build a file copy instead of a themed page per client. All in one folder, as above.
    return f"arbres/{slug}.html"


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


def words(lang: str):
    """`t(key, **fields)`: a site sentence in `lang`."""
    table = site_strings()[lang]

    def t(key: str, **fields: object) -> str:
        return table[key].format(**fields) if fields else table[key]
    return t


def shipped_scripts() -> list[str]:
    """The site-wide scripts, as paths in the built site."""
    return [path for path in SCRIPTS if path == SHARED_ASSET or static_asset(path.rsplit("/", 1)[1]) is not None]


def static_asset(name: str) -> str | None:
    path = importlib.resources.files("scopekb.site_templates").joinpath("assets", name)
    return path.read_text("utf-8") if path.is_file() else None


# --- the site ---------------------------------------------------------------

def render_site(kb: KnowledgeBase, audience: str = "internal", lang: str = "fr",
                today: dt.date | None = None, directory_urls: bool = True, trees: bool = True,
                client_pages: bool = True) -> dict[str, str]:
    """Every generated file of the site, by path relative to the docs folder.

    With `trees=False`, without the decision-tree pages (`tree_pages` renders them); with
    `client_pages=False`, without the client pages (`render_client` renders one).
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r} (expected one of {', '.join(AUDIENCES)})")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})")
    today = today or dt.date.today()
    site = SiteContext(kb, lang, today, directory_urls)
    files: dict[str, str] = {
        HOME_PAGE: render_home(site),
        CALL_PAGE: render_markdown(f"call-reception.{lang}.md.j2", t=site.t),
        FINDER_INDEX: json.dumps(finder_index(kb), ensure_ascii=False, separators=(",", ":")),
        SHARED_ASSET: shared_script(kb, lang),
    }
    for name in STATIC_ASSETS:
        text = static_asset(name)
        if text is not None:
            files[f"{ASSET_DIR}/{name}"] = text
    for client in kb.clients.values() if client_pages else ():
        files[client_page(client.slug)] = render_client(site, client)
    if trees:
        files.update(tree_pages(kb, lang, today, directory_urls))
    return files


def tree_pages(kb: KnowledgeBase, lang: str, today: dt.date, directory_urls: bool = True, start: int = 0):
    """(path, HTML) of each client's decision-tree page, a complete HTML document, from the `start`-th client."""
    from .render_tree import render_tree_page

    site = SiteContext(kb, lang, today, directory_urls)
    for slug in itertools.islice(kb.clients, start, None):  # the clients skipped are not even read
        yield tree_page(slug), render_tree_page(site, kb.clients[slug])


class SiteContext:
    """What every page of one rendering shares: data, language, date, URL style."""

    def __init__(self, kb: KnowledgeBase, lang: str, today: dt.date, directory_urls: bool):
        self.kb, self.lang, self.today, self.directory_urls = kb, lang, today, directory_urls
        self.t = words(lang)
        # The site's sentences without fields, escaped once: templates write hundreds per page.
        self.w = {key: escape(text) for key, text in site_strings()[lang].items()}
        self.permalink = self.w["word.permalink"]

    def heading(self, level: int, anchor: str, text: str) -> Markup:
        """A heading with its permalink, as Markdown's toc extension writes them."""
        anchor = escape(anchor)
        return Markup(f'<h{level} id="{anchor}">{escape(text)}<a class="headerlink" href="#{anchor}" '
                      f'title="{self.permalink}">¶</a></h{level}>')

    @property
    def colon(self) -> str:
        return self.t("word.colon")

    def say(self, key: str, **fields: object) -> str:
        """A sentence of the verdict engine's table (scopekb.i18n)."""
        return message(self.lang, key, **fields)

    def kinds(self, services: tuple[str, ...]) -> str:
        return ", ".join(self.say(f"kind.{k}") for k in KIND_ORDER if k in services)

    def period(self, contract: Contract) -> str:
        if contract.end is None:
            return self.t("period.from", start=contract.start.isoformat())
        return self.t("period.from-to", start=contract.start.isoformat(), end=contract.end.isoformat())

    def team(self, team_id: str) -> str:
        team = self.kb.provider.teams[team_id]
        return f"{team.name} ({team.phone})" if team.phone else team.name

    def client_url(self, slug: str, from_depth: int = 0) -> str:
        """URL of a client page from a page `from_depth` folders below the site root."""
        return self.client_url_pattern(from_depth).replace("{slug}", url_part(slug))

    def client_url_pattern(self, from_depth: int = 0) -> str:
        up = "../" * from_depth
        return up + client_html("{slug}")


def render_home(site: SiteContext) -> str:
    t = site.t
    rows = [Fields(name=client.name, url=site.client_url(client.slug), contract=contract.id,
                   status=contract.status(site.today), status_text=t(f"status.{contract.status(site.today)}"),
                   period=site.period(contract), services=site.kinds(contract.services))
            for client in site.kb.clients.values() for contract in client.contracts]
    finder = render_html("finder.html.j2", t=t, index_url=FINDER_INDEX,
                         client_url=site.client_url_pattern(), lang=site.lang)
    body = render_html("home.html.j2", t=t, finder=finder, rows=rows, rows_per_table=OVERVIEW_ROWS_PER_TABLE,
                       date=site.today.isoformat())
    # The home page would match every client name: the finder is for that, not full-text search.
    return html_page(t("home.title"), body, front_matter="---\nsearch:\n  exclude: true\n---\n\n")


def render_client(site: SiteContext, client: Client) -> str:
    return html_page(client.name, client_body(site, client).removesuffix("\n"))


def client_body(site: SiteContext, client: Client, view: dict | None = None) -> str:
    """The HTML of a client page under its title, as `split_html_page` gives it; `view`: its `client_view`."""
    body = render_html("client.html.j2", **(view or client_view(site, client)))
    return f"{body}\n"


def client_view(site: SiteContext, client: Client) -> dict:
    """What client.html.j2 shows of a client (its variables); render_client_search.py reads it too."""
    kb, t = site.kb, site.t
    contracts = []
    teams: dict[str, list[str]] = {"helpdesk": [t("client.role.helpdesk")]}
    for contract in client.contracts:
        routing = [t("client.routing-n2", category=kb.provider.catalog[e.category].label, team=site.team(e.team))
                   for e in contract.scope if e.level == "n2" and e.team]
        if "installation" in contract.services and any(e.level == "n1" for e in contract.scope):
            key = "client.routing-install-remote" if contract.remote_installation else "client.routing-install-onsite"
            team = "helpdesk" if contract.remote_installation else kb.provider.installation
            routing.append(t(key, team=site.team(team)))
            teams.setdefault(team, []).append(t("client.role.installation"))
        for entry in contract.scope:
            if entry.team:
                teams.setdefault(entry.team, []).append(t("client.role.scope"))
        escalation = contract.escalate_to or kb.provider.escalation
        teams.setdefault(escalation, []).append(t("client.role.escalation"))
        contracts.append(Fields(
            c=contract, routing=routing, escalation=escalation, status=contract.status(site.today),
            anchor=slugify(contract.id) or "contract",
            proposals=", ".join(t(f"client.propose.{p}") for p in contract.may_propose),
            public_notes=paragraphs(contract.public_notes), internal_notes=paragraphs(contract.internal_notes),
            assets=[asset_coverage(site, client, a) for a in contract.equipment]))
    team_rows = [(kb.provider.teams[team_id], ", ".join(dict.fromkeys(roles))) for team_id, roles in teams.items()]
    tree_url = "../" + tree_page(url_part(client.slug))
    return dict(t=t, w=site.w, heading=site.heading, colon=site.w["word.colon"], kinds=site.kinds, team=site.team,
                client=client, contracts=contracts, teams=team_rows, catalog=kb.provider.catalog,
                provider=kb.provider, date=site.today.isoformat(), tree_url=tree_url,
                checker=checker_block(site, client))


def asset_coverage(site: SiteContext, client: Client, asset) -> Fields:
    """Whether the asset is covered today, as the verdict engine says for an incident on it."""
    decision = decide(site.kb, Request(client=client.slug, date=site.today, asset=asset.id), site.lang)
    state = {"handle": "yes", "route": "yes", "ask": "ask"}.get(decision.verdict, "no")
    return Fields(asset=asset, state=state, verdict=site.say(f"verdict.{decision.verdict}"),
                  reason=" ".join(text for _, text in decision.reasons))


def checker_block(site: SiteContext, client: Client) -> Markup:
    """The element the in-browser checker fills, with the data it works from (embed.py)."""
    return Markup(checker_html(site.kb, client))


def finder_index(kb: KnowledgeBase) -> dict:
    """The client finder's index, kept small: ≤ 1 MB at 5,000 clients.

    Per client: [name, slug, terms, model numbers]. `terms` are the normal
    forms of its name (first), aliases, slug and asset ids, joined by "|";
    the slug is "" when it is the name's normal form with "-" for spaces.
    Models are shared between clients: listed once, with their normal form.
    """
    models: dict[str, int] = {}
    clients = []
    for client in kb.clients.values():
        terms = [normal_form(client.name), *(normal_form(a) for a in client.aliases),
                 normal_form(client.slug)]
        model_ids: list[int] = []
        for contract in client.contracts:
            for asset in contract.equipment:
                terms.append(normal_form(asset.id))
                if asset.model:
                    number = models.setdefault(asset.model, len(models))
                    if number not in model_ids:
                        model_ids.append(number)
        slug = "" if client.slug == slugify(client.name) else client.slug
        clients.append([client.name, slug, "|".join(dict.fromkeys(terms)), model_ids])
    return {"version": 1, "models": [[m, normal_form(m)] for m in models], "clients": clients}
