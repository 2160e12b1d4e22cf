"""A client's own site, as data: its pages, its navigation and its search documents. No MkDocs here.

A static site has no access control: a client's site is sent to that client and may be read by
anyone there, so it is made from that client alone. `client_knowledge_base` cuts the knowledge base
down to the provider, this client's contracts and the public articles of the categories it covers,
and every page of the site is made from that cut, never from the whole: no other client's name,
contract, asset or figure can reach it, however a template or the verdict engine is changed later.

What it shows, in words a client understands (the catalogue's `portal.` and `guide.` keys):
- `index.md`: how to reach the helpdesk (the `helpdesk` team's phone and e-mail, the only ones a client
  gets: other teams are named, unless `internal`, never given a number), each contract's dates,
  services, perimeter, equipment and equipment policy, what happens to a request outside it and what
  can be offered, and its `public_notes` (never `internal_notes`);
- `guide.md`: "is my request covered?", the decision tree of coverage/tree.py (the verdict engine's
  own answers) with a client's questions and outcomes, without teams' details or technicians' actions;
- `articles/...`: the public articles (`audience: public`) of the categories its contracts cover.
  Public scenarios will join them here (`public_documents`).

The site is built without directory URLs (`guide.html`, not `guide/`), to be read from a disk.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from scopekb.coverage.decide import Decision, Request, decide
from scopekb.coverage.tree import Leaf, Node, TreeBuilder
from scopekb.kb.model import REQUEST_KINDS, Article, Client, Contract, KnowledgeBase, normal_form
from scopekb.site.context import ASSET_DIR, Fields, md_escape, page_url, paragraphs, render_markdown, static_asset
from scopekb.site.search import text_of_html
from scopekb.site.search_index import INDEX_FILE, SearchDocument, SearchIndexFiles, build_search_index
from scopekb.words import message, sentences

HOME_PAGE = "index.md"
GUIDE_PAGE = "guide.md"
# Shipped in site_templates/assets/ and copied as they are: the styles of the decision tree and of the
# search box, the search itself, and the client site's own styles (print included). Nothing of the
# technicians' site: no finder index, no checker, no checker data of any client.
STATIC_ASSETS = ("scopekb.css", "search.css", "search.js", "client-site.css")
STYLESHEETS = (f"{ASSET_DIR}/scopekb.css", f"{ASSET_DIR}/search.css", f"{ASSET_DIR}/client-site.css")
# The index first: search.js finds it loaded and labels its box at once (a client site's index is small).
SCRIPTS = (INDEX_FILE, f"{ASSET_DIR}/search.js")

# The decision tree's words (coverage/tree.py asks for tree.*) -> a client's words.
GUIDE_WORDS = {
    "tree.q-in-force": "guide.q-in-force", "tree.a-in-force": "guide.a-in-force",
    "tree.a-not-in-force": "guide.a-not-in-force", "tree.q-subject": "guide.q-subject",
    "tree.a-asset": "guide.a-asset", "tree.a-entry-items": "guide.a-entry-items",
    "tree.a-other-category": "guide.a-other-category", "tree.a-unknown-asset": "guide.a-unknown-asset",
    "tree.a-unmatched": "guide.a-unmatched", "tree.a-unstated": "guide.a-unstated", "tree.q-kind": "guide.q-kind",
    "tree.q-acquired": "guide.q-acquired", "tree.a-acquired-until": "guide.a-acquired-until",
    "tree.a-acquired-between": "guide.a-acquired-between", "tree.a-acquired-after": "guide.a-acquired-after",
    "tree.a-acquired-unknown": "guide.a-acquired-unknown",
}
# Why a request is not covered, by the verdict's reason code.
WHY = {
    "not-in-perimeter": "guide.why.not-in-perimeter", "service-not-covered": "guide.why.service-not-covered",
    "not-listed": "guide.why.not-listed", "acquired-after-signature": "guide.why.acquired-after-signature",
    "asset-unknown": "guide.why.asset-unknown", "no-contract": "guide.why.no-contract",
    "contract-inactive": "guide.why.no-contract",
}
KIND_WORDS = {"incident": "portal.kind.incident", "installation": "portal.kind.installation",
              "information": "portal.kind.information", "change": "portal.kind.change"}
POLICY_WORDS = {"all": "portal.policy.all", "listed": "portal.policy.listed",
                "acquired-before-signature": "portal.policy.acquired-before-signature"}
OFFER_WORDS = {"extension": "portal.offer.extension", "billed-service": "portal.offer.billed-service",
               "new-contract": "portal.offer.new-contract"}
COVERED_WORDS = {"yes": "portal.covered-yes", "no": "portal.covered-no", "ask": "portal.covered-ask"}
STATUS_WORDS = {"in-force": "status.in-force", "expiring": "status.expiring", "expired": "status.expired",
                "not-started": "status.not-started"}


@dataclass(frozen=True)
class ClientSite:
    """One client's site as data: what MkDocs builds (mkdocs_plugin/client_build.py) and the search indexes."""
    slug: str
    lang: str
    site_name: str
    pages: dict[str, str]  # path in the docs folder -> Markdown
    nav: list  # MkDocs' `nav` setting
    assets: dict[str, str] = field(repr=False)  # path in the site -> text, written as it is
    documents: tuple[SearchDocument, ...] = field(repr=False)  # what the search finds, articles' text aside
    articles: tuple[Article, ...] = ()

    def search_index(self, article_contents: dict[str, str]) -> SearchIndexFiles:
        """The site's search index, once MkDocs made the HTML of the articles (`article_contents`, by page)."""
        documents = [SearchDocument(page_url(article.page, False), article.title, "article",
                                    text_of_html(article_contents.get(article.page, "")),
                                    keywords=(*article.symptoms, *article.products))
                     for article in self.articles]
        return build_search_index([*documents, *self.documents], self.lang)


def client_languages(kb: KnowledgeBase, site_lang: str) -> dict[str, str]:
    """Each client's site language: its `client.lang`, else the technicians' site's."""
    return {slug: client.lang or site_lang for slug, client in kb.clients.items()}


def covered_categories(client: Client, today: dt.date) -> list[str]:
    """The categories in the scope of its contracts that are in force or yet to start, in contract order."""
    return list(dict.fromkeys(entry.category for contract in client.contracts if contract.end is None
                              or contract.end >= today for entry in contract.scope))


def public_documents(kb: KnowledgeBase, categories: list[str]) -> tuple[Article, ...]:
    """What a client may read of the knowledge base's documents: the public articles filed under one of
    its covered `categories`. Public resolution scenarios, once the knowledge base has them, join here
    (with `audience: public` and their categories, as articles): nothing else of content/ ever does."""
    wanted = set(categories)
    return tuple(a for a in kb.articles if a.audience == "public" and wanted.intersection(a.categories))


def client_knowledge_base(kb: KnowledgeBase, slug: str, today: dt.date) -> KnowledgeBase:
    """The knowledge base as far as one client's site may know it: the provider, this client and its
    contracts, and its public documents. The provider keeps its teams, since the verdict engine names
    them; the site shows none but the helpdesk's contact."""
    client = kb.clients[slug]
    names = {normal_form(text): slug for text in (client.name, *client.aliases, slug) if normal_form(text)}
    articles = public_documents(kb, covered_categories(client, today))
    return KnowledgeBase(kb.provider, {slug: client}, names, articles)


class ClientWords:
    """A client site's sentences, and the provider's teams as a client may read of them."""

    def __init__(self, kb: KnowledgeBase, lang: str):
        self.kb, self.lang = kb, lang
        self.t = sentences(lang)

    def team(self, team_id: str | None) -> str:
        """A team's name, or "the team in charge" for an internal one (or none)."""
        team = self.kb.provider.teams.get(team_id) if team_id else None
        return team.name if team is not None and not team.internal else self.t("portal.team-generic")

    def period(self, start: dt.date, end: dt.date | None) -> str:
        if end is None:
            return self.t("period.from", start=start.isoformat())
        return self.t("period.from-to", start=start.isoformat(), end=end.isoformat())

    def offers(self, contract: Contract) -> list[str]:
        return [self.t(OFFER_WORDS[p]) for p in contract.may_propose]


def link(url: str, text: str) -> Markup:
    """An HTML link inside Markdown: its text escaped for both (no client text becomes markup)."""
    return Markup(f'<a href="{escape(url)}">{md_escape(text)}</a>')


# --- the summary page ---------------------------------------------------------------------------------------

def summary_page(kb: KnowledgeBase, client: Client, words: ClientWords, today: dt.date) -> str:
    t = words.t
    provider = kb.provider
    in_force = client.in_force(today)
    helpdesk = provider.teams["helpdesk"]
    example = next((asset.id for contract in client.contracts for asset in contract.equipment), None)
    when = None
    if in_force:
        ends = [c.end for c in in_force]
        when = words.period(min(c.start for c in in_force), None if None in ends else max(ends))
    contracts = []
    for contract in client.contracts:
        status = contract.status(today)
        perimeter = [Fields(label=provider.catalog[e.category].label, covered=", ".join(e.items) or t("portal.all-items"),
                          by=t("portal.by-helpdesk") if e.level == "n1" else t("portal.by-team", team=words.team(e.team)))
                     for e in contract.scope]
        install = None
        if "installation" in contract.services:
            install = (t("portal.install-phone") if contract.remote_installation
                       else t("portal.install-onsite", team=words.team(provider.installation)))
        assets = []
        for asset in contract.equipment:
            state = asset_state(kb, client, asset.id, today)
            assets.append(Fields(id=asset.id, model=asset.model, category=provider.catalog[asset.category].label,
                               acquired=asset.acquired.isoformat() if asset.acquired else t("portal.unknown"),
                               covered=t(COVERED_WORDS[state])))
        contracts.append(Fields(
            id=contract.id,
            dates=t("portal.dates", signed=contract.signed.isoformat(), period=words.period(contract.start, contract.end)),
            status=t("portal.status", date=today.isoformat(), status=t(STATUS_WORDS[status])),
            kinds=[t(KIND_WORDS[k]) for k in REQUEST_KINDS if k in contract.services], install=install,
            perimeter=perimeter, policy=t(POLICY_WORDS[contract.policy], signed=contract.signed.isoformat()),
            assets=assets, escalation=words.team(contract.escalate_to or provider.escalation),
            offers=words.offers(contract), notes=paragraphs(contract.public_notes)))
    articles = []
    for category in covered_categories(client, today):
        links = [link(page_url(a.page, False), a.title) for a in kb.articles if category in a.categories]
        if links:
            articles.append(Fields(label=provider.catalog[category].label, links=links))
    return render_markdown("client-summary.md.j2", t=t, colon=Markup(escape(t("word.colon"))),
                           sep=Markup(escape(t("word.list-sep"))), client=client, provider=provider, date=today.isoformat(),
                           helpdesk=helpdesk, when=when, example=example, contracts=contracts, articles=articles,
                           guide=link(page_url(GUIDE_PAGE, False), t("portal.guide-link")))


def asset_state(kb: KnowledgeBase, client: Client, asset_id: str, today: dt.date) -> str:
    """yes, no or ask: whether an incident on the asset is covered today, as the verdict engine says."""
    verdict = decide(kb, Request(client=client.slug, date=today, asset=asset_id), "en").verdict
    return {"handle": "yes", "route": "yes", "ask": "ask"}.get(verdict, "no")


# --- the guide: "is my request covered?" ----------------------------------------------------------------------

class ClientTreeBuilder(TreeBuilder):
    """coverage/tree.py's tree, its questions and answers in a client's words: the same decisions."""

    def __init__(self, kb: KnowledgeBase, client: Client, lang: str, today: dt.date):
        super().__init__(kb, client, lang, today)
        said = self.t
        self.t = lambda key, **fields: said(GUIDE_WORDS.get(key, key), **fields)


class GuideHtml:
    """The tree as nested lists, each leaf what happens to the request, for the client: no actions of the
    technician, no team's contact. Plain escaped concatenation, as site/trees.py."""

    def __init__(self, kb: KnowledgeBase, client: Client, words: ClientWords):
        self.kb, self.client, self.words = kb, client, words
        self.leaves: dict[Decision, Markup] = {}
        self.contracts = {c.id: c for c in client.contracts}

    def node(self, node: Node) -> Markup:
        if isinstance(node, Leaf):
            return self.leaf(node.decision)
        answers = "".join(f'<li><p class="scopekb-answer">{escape(answer.label)}</p>\n{self.node(answer.node)}</li>\n'
                          for answer in node.answers)
        return Markup(f'<div class="scopekb-question">\n<p class="scopekb-question__text">{escape(node.text)}</p>\n'
                      f'<ul class="scopekb-question__answers">\n{answers}</ul>\n</div>\n')

    def leaf(self, decision: Decision) -> Markup:
        found = self.leaves.get(decision)
        if found is None:
            found = self.leaves[decision] = self.render_leaf(decision)
        return found

    def render_leaf(self, decision: Decision) -> Markup:
        t, words = self.words.t, self.words
        code = decision.reasons[0][0]
        contract = self.contracts.get(decision.contract)
        lines, articles = [], ""
        if decision.verdict in ("handle", "route"):
            head = t("guide.covered")
            lines.append(t("guide.handle") if decision.verdict == "handle" else
                         t("guide.route", team=words.team(decision.team)))
            articles = self.articles(decision.category)
        elif decision.verdict == "ask":
            head = t("guide.depends")
            lines.append(t("guide.ask-acquired", signed=contract.signed.isoformat())
                         if code == "acquisition-date-unknown" and contract else t("guide.ask-subject"))
        else:
            head = t("guide.not-covered")
            lines += [t(WHY.get(code, "guide.why.not-in-perimeter")), t("guide.outside", team=words.team(decision.team))]
            offers = words.offers(contract) if contract and decision.verdict == "out-of-scope" else []
            if offers:
                lines.append(t("guide.offers", offers=t("word.list-sep").join(offers)))
        text = " ".join(str(escape(line)) for line in lines)
        return Markup(f'<div class="scopekb-leaf scopekb-leaf--{escape(decision.verdict)}">\n'
                      f'<p class="scopekb-leaf__verdict"><strong>{escape(head)}</strong> {text}</p>\n{articles}</div>')

    def articles(self, category: str | None) -> str:
        found = [a for a in self.kb.articles if category in a.categories]
        if not found:
            return ""
        items = "".join(f'<li><a href="{escape(page_url(a.page, False))}">{escape(a.title)}</a></li>' for a in found)
        return (f'<p class="scopekb-leaf__label">{escape(self.words.t("guide.articles"))}</p>\n'
                f'<ul class="scopekb-leaf__articles">{items}</ul>\n')


def guide_page(kb: KnowledgeBase, client: Client, words: ClientWords, today: dt.date) -> str:
    tree = ClientTreeBuilder(kb, client, words.lang, today).build()
    return render_markdown("client-guide.md.j2", t=words.t, date=today.isoformat(),
                           tree=GuideHtml(kb, client, words).node(tree),
                           back=link(page_url(HOME_PAGE, False), words.t("guide.back")))


# --- the site ---------------------------------------------------------------------------------------------------

def client_site(kb: KnowledgeBase, slug: str, lang: str, today: dt.date, root: Path) -> ClientSite:
    """The site of client `slug`, in `lang`, as of `today`; `root` holds content/, where its public articles are.
    Made from `client_knowledge_base` alone."""
    own = client_knowledge_base(kb, slug, today)
    client = own.clients[slug]
    words = ClientWords(own, lang)
    t = words.t
    pages = {HOME_PAGE: summary_page(own, client, words, today), GUIDE_PAGE: guide_page(own, client, words, today)}
    for article in own.articles:
        pages[article.page] = (Path(root) / article.source).read_text(encoding="utf-8")
    nav = [{t("portal.nav-home"): HOME_PAGE}, {t("portal.nav-guide"): GUIDE_PAGE}]
    if own.articles:
        nav.append({t("portal.nav-articles"): [article.page for article in own.articles]})
    assets = {f"{ASSET_DIR}/{name}": static_asset(name) for name in STATIC_ASSETS}
    catalog = own.provider.catalog
    labels, items, keywords = [], [], []
    for contract in client.contracts:
        keywords.append(contract.id)
        labels += [catalog[entry.category].label for entry in contract.scope]
        items += [item for entry in contract.scope for item in entry.items]
        keywords += [part for asset in contract.equipment for part in (asset.id, asset.model) if part]
    notes = [c.public_notes for c in client.contracts if c.public_notes]
    documents = (
        SearchDocument(page_url(HOME_PAGE, False), t("portal.title"), "client",
                       " ".join([*labels, *items, *notes]), keywords=tuple(dict.fromkeys(keywords))),
        SearchDocument(page_url(GUIDE_PAGE, False), t("guide.title"), "tree", " ".join(dict.fromkeys(labels))),
    )
    return ClientSite(slug, lang, message(lang, "portal.site-name", client=client.name), pages, nav, assets,
                      documents, own.articles)
