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
import json

from markupsafe import Markup

from scopekb import clock
from scopekb.coverage.decide import Request, decide
from scopekb.site.checker_data import SHARED_ASSET, checker_html, shared_script
from scopekb.site.context import (ASSET_DIR, Fields, SiteContext, category_page, client_html, client_page, html_page, paragraphs,
                                  render_html, render_markdown, static_asset, tree_html, tree_page, url_part)
from scopekb.site.categories import category_pages
from scopekb.site.health import cell as health_cell
from scopekb.site.health import health, watch_key, window_start
from scopekb.site.scenarios import client_scenarios, scenario_pages
from scopekb.site.search_index import STRINGS_FILE, strings_script
from scopekb.site.trees import tree_body
from scopekb.words import LANGUAGES, sentences
from scopekb.kb.model import REQUEST_KINDS, Client, KnowledgeBase, normal_form, slugify

AUDIENCES = ("internal",)
HOME_PAGE = "index.md"
CALL_PAGE = "accueil-appel.md"
# A script rather than JSON fetched by XHR: a site opened from disk (file://) may not fetch files, but it
# loads scripts. finder.js adds it to the page once the page is up, off the path of the first keystrokes.
FINDER_INDEX = f"{ASSET_DIR}/finder-index.js"
FINDER_GLOBAL = "scopekbFinderIndex"
# The home page's overview is cut into tables of this many rows, which the browser lays out only near the
# viewport (scopekb.css): one table of 5,000 rows was styled, laid out and traced by the garbage collector
# as a whole, and held up the finder's first keystrokes after the page loaded.
OVERVIEW_ROWS_PER_TABLE = 100
# Static files shipped in site_templates/assets/ and copied as they are.
STATIC_ASSETS = ("scopekb.css", "search.css", "site.js", "finder.js", "checker.js", "search.js")
STYLESHEETS = (f"{ASSET_DIR}/scopekb.css", f"{ASSET_DIR}/search.css")
# The checker's shared data (generated) comes before the checker, which reads it when it starts.
# The search box's words come before the search box, which reads them when it starts.
SCRIPTS = (f"{ASSET_DIR}/site.js", f"{ASSET_DIR}/finder.js", SHARED_ASSET, f"{ASSET_DIR}/checker.js",
           STRINGS_FILE, f"{ASSET_DIR}/search.js")
GENERATED_SCRIPTS = (SHARED_ASSET, STRINGS_FILE)


def shipped_scripts() -> list[str]:
    """The site-wide scripts, as paths in the built site."""
    return [path for path in SCRIPTS
            if path in GENERATED_SCRIPTS or static_asset(path.rsplit("/", 1)[1]) is not None]


def render_site(kb: KnowledgeBase, audience: str = "internal", lang: str = "fr",
                today: dt.date | None = None, directory_urls: bool = True, generated: bool = True) -> dict[str, str]:
    """Every generated file of the site, by path relative to the docs folder.

    With `generated=False`, without the pages `generated_pages` lists (a client's, a decision tree), whose
    HTML `page_body` renders.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r} (expected one of {', '.join(AUDIENCES)})")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGUAGES)})")
    today = today or clock.today()
    site = SiteContext(kb, lang, today, directory_urls)
    files: dict[str, str] = {
        HOME_PAGE: render_home(site),
        CALL_PAGE: render_markdown("call-reception.md.j2", t=site.t, w=site.w, md=site.markdown, kinds=REQUEST_KINDS,
                                   home=Markup(HOME_PAGE)),
        FINDER_INDEX: finder_script(kb),
        SHARED_ASSET: shared_script(kb, lang),
        STRINGS_FILE: strings_script(lang),
    }
    files.update(category_pages(site))
    files.update(scenario_pages(site))
    for name in STATIC_ASSETS:
        text = static_asset(name)
        if text is not None:
            files[f"{ASSET_DIR}/{name}"] = text
    for path, kind, slug, title, _ in generated_pages(kb, lang) if generated else ():
        files[path] = html_page(title, page_body(site, kind, slug).removesuffix("\n"))
    return files


def generated_pages(kb: KnowledgeBase, lang: str) -> list[tuple[str, str, str, str, str]]:
    """(page path, kind, client slug, title, built HTML file) of each client page, then each decision tree:
    pages made of a title and HTML, built each in one folder whatever use_directory_urls says (a folder
    per page would cost every build a directory to create and one to delete per client)."""
    t = sentences(lang)
    pages = [(client_page(slug), "client", slug, client.name, client_html(slug)) for slug, client in kb.clients.items()]
    pages += [(tree_page(slug), "tree", slug, t("tree.title", client=client.name), tree_html(slug))
              for slug, client in kb.clients.items()]
    return pages


def render_home(site: SiteContext) -> str:
    t = site.t
    states = health(site)
    # The clients to watch first (site/health.py watch_key); a stable sort keeps the others by name.
    clients = sorted(site.kb.clients.values(), key=lambda client: watch_key(states[client.slug]))
    rows = [Fields(name=client.name, url=site.client_url(client.slug), contract=contract.id,
                   status=contract.status(site.today), status_text=t(f"status.{contract.status(site.today)}"),
                   period=site.period(contract), services=site.kinds(contract.services),
                   health=health_cell(site, states[client.slug]))
            for client in clients for contract in client.contracts]
    finder = render_html("finder.html.j2", t=t, index_url=FINDER_INDEX,
                         client_url=site.client_url_pattern(), lang=site.lang)
    body = render_html("home.html.j2", t=t, finder=finder, rows=rows, rows_per_table=OVERVIEW_ROWS_PER_TABLE,
                       date=site.today.isoformat(), watch=any(row.health for row in rows))
    # The home page would match every client name: the finder is for that, not full-text search.
    return html_page(t("home.title"), body, front_matter="---\nsearch:\n  exclude: true\n---\n\n")


def page_body(site: SiteContext, kind: str, slug: str) -> str:
    """The HTML of generated page of `kind` (client, tree) for client `slug`, under its title."""
    return BODIES[kind](site, site.kb.clients[slug])


def client_body(site: SiteContext, client: Client, view: dict | None = None) -> str:
    """The HTML of a client page under its title, as `split_html_page` gives it; `view`: its `client_view`."""
    body = render_html("client.html.j2", **(view or client_view(site, client)))
    return f"{body}\n"


def client_view(site: SiteContext, client: Client) -> dict:
    """What client.html.j2 shows of a client (its variables); render_client_search.py reads it too."""
    kb, t = site.kb, site.t
    contracts = []
    teams: dict[str, list[str]] = {"helpdesk": [t("client.role.helpdesk")]}
    for contract, anchor in zip(client.contracts, contract_anchors(client.contracts)):
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
            anchor=anchor,
            proposals=", ".join(t(f"client.propose.{p}") for p in contract.may_propose),
            public_notes=paragraphs(contract.public_notes), internal_notes=paragraphs(contract.internal_notes),
            assets=[asset_coverage(site, client, a) for a in contract.equipment]))
    team_rows = [(kb.provider.teams[team_id], ", ".join(dict.fromkeys(roles))) for team_id, roles in teams.items()]
    tree_url = "../" + tree_html(url_part(client.slug))
    return dict(t=t, w=site.w, heading=site.heading, colon=site.w["word.colon"], kinds=site.kinds, team=site.team,
                client=client, contracts=contracts, teams=team_rows, catalog=kb.provider.catalog,
                provider=kb.provider, date=site.today.isoformat(), tree_url=tree_url,
                checker=checker_block(site, client), articles=client_articles(site, client),
                category_url=lambda category: site.url(category_page(category), from_depth=1),
                scenarios=client_scenarios(site, client.slug, from_depth=1),
                health=client_health(site, client))


def client_health(site: SiteContext, client: Client) -> Fields:
    """What a client's page shows of its contracts' health (site/health.py): calls out of scope over 12
    months by category (when the site has ticket exports), contracts ending within 90 days."""
    state = health(site)[client.slug]
    catalog = site.kb.provider.catalog
    return Fields(tickets=site.kb.tickets is not None, outside=state.outside,
                  since=window_start(site.today).isoformat(),
                  categories=[Fields(label=catalog[c.category].label, url=site.url(category_page(c.category), 1),
                                     outside=c.outside, calls=c.calls) for c in state.by_category if c.outside],
                  ending=[site.t("health.ending", contract=contract.id, end=contract.end.isoformat(), days=days)
                          for contract, days in state.ending])


# The ids a client page gives elements of its own, and the headings each contract has (its anchor, then
# these suffixes): a contract's anchor may take none of them, nor another contract's.
PAGE_IDS = ("articles", "scopekb-check", "contracts", "teams")
CONTRACT_HEADINGS = ("", "-perimeter", "-routing", "-equipment", "-out-of-scope", "-public-notes", "-internal-notes")


def contract_anchors(contracts) -> list[str]:
    """The anchor of each contract on its client's page: its id's slug ("CTR-2024-001" -> ctr-2024-001),
    "contract" for an id of no letter or digit; "-2", "-3"... added to one that an earlier contract, or a
    heading of the page, has already ("CTR 1" after "ctr-1", an id "Teams"). The checker, the finder and
    the search name their elements "scopekb-...": an id's slug that begins so begins "contract-" here."""
    used, anchors = set(PAGE_IDS), []
    for contract in contracts:
        base = slugify(contract.id) or "contract"
        if base.startswith("scopekb-"):
            base = "contract-" + base
        anchor, n = base, 1
        while any(anchor + part in used for part in CONTRACT_HEADINGS):
            n += 1
            anchor = f"{base}-{n}"
        used.update(anchor + part for part in CONTRACT_HEADINGS)
        anchors.append(anchor)
    return anchors


CLIENT_ARTICLES = 8  # articles linked per category from a client page: the category's page has them all


def client_articles(site: SiteContext, client: Client) -> list[Fields]:
    """The articles of the categories in the client's perimeter (any of its contracts), by category."""
    categories = dict.fromkeys(entry.category for contract in client.contracts for entry in contract.scope)
    found = []
    for category in categories:
        links = site.article_links(category, from_depth=1, limit=CLIENT_ARTICLES)
        if links:
            found.append(Fields(category=category, label=site.kb.provider.catalog[category].label, links=links,
                                more=len(site.articles_by_category[category]) - len(links)))
    return found


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

    Per client: [name, slug, names, assets, asset models].
    - names: the normal forms that name the client for `scopekb check` (its name first, then its aliases
      and slug: kb.names), joined by "|", so that the finder finds what check's "may mean" finds;
    - slug: "" when it is the name's normal form with "-" for spaces;
    - assets: its asset ids as written (the checker is opened on one of them), joined by "|";
    - asset models: for each asset, the number of its model in `models`, or -1.
    Models are shared between clients: listed once, with their normal form.
    """
    forms: dict[str, list[str]] = {}
    for form, slug in kb.names.items():
        forms.setdefault(slug, []).append(form)
    models: dict[str, int] = {}
    clients = []
    for client in kb.clients.values():
        name = normal_form(client.name)
        terms = list(dict.fromkeys([name, *forms.get(client.slug, ())]))
        assets: dict[str, int] = {}
        for contract in client.contracts:
            for asset in contract.equipment:
                if asset.id not in assets:
                    assets[asset.id] = models.setdefault(asset.model, len(models)) if asset.model else -1
        slug = "" if client.slug == slugify(client.name) and terms[0] == name else client.slug
        clients.append([client.name, slug, "|".join(terms), "|".join(assets), list(assets.values())])
    return {"version": 2, "models": [[m, normal_form(m)] for m in models], "clients": clients}


def finder_script(kb: KnowledgeBase) -> str:
    """FINDER_INDEX: a script that hands `finder_index` to finder.js as `window.scopekbFinderIndex`.

    The index is a JSON text in a string, given to JSON.parse: a JavaScript engine reads a string and
    JSON faster than the same data as an object literal. In a file of its own, not in a page, so nothing
    in it can end a script element; the string is a JSON string, which JavaScript reads the same.
    """
    text = json.dumps(finder_index(kb), ensure_ascii=False, separators=(",", ":"))
    return f"window.{FINDER_GLOBAL} = JSON.parse({json.dumps(text, ensure_ascii=False)});\n"


def read_finder_script(script: str) -> dict:
    """The index in a FINDER_INDEX script (for tests and benchmarks)."""
    head = f"window.{FINDER_GLOBAL} = JSON.parse("
    assert script.startswith(head) and script.endswith(");\n"), script[:80]
    return json.loads(json.loads(script[len(head):-3]))


BODIES = {"client": client_body, "tree": tree_body}  # page_body's makers, by kind of page
