"""Resolution scenarios as pages: one per scenario, their index by category, those no article documents
yet, and what the tickets' reading could not place (for maintainers). No MkDocs here.

The scenarios come from the closed tickets' facts (tickets/facts.py), which the site's build attaches to
the knowledge base as `kb.tickets`; without exports there are none, and none of these pages.

Scenario text is ticket text. The ticket pipeline scrubbed it of personal data, and it is untrusted all
the same: it reaches pages only through the autoescaping HTML templates (and `html_page`, whose title is
escaped for Markdown), never as Markdown.
"""
from __future__ import annotations

import dataclasses
import re
import time
import weakref
from functools import cached_property
from pathlib import Path

from scopekb.kb.model import Article, KnowledgeBase
from scopekb.site.context import (Fields, SiteContext, category_page, client_html, depth_of, html_page, page_url,
                                  render_html)
from scopekb.tickets.facts import ticket_facts
from scopekb.tickets.pipeline import kb_contacts, new_article_command
from scopekb.tickets.read import TICKETS_FOLDER
from scopekb.tickets.scrub import Scrubber

SCENARIOS_DIR = "scenarios"
INDEX_PAGE = f"{SCENARIOS_DIR}/index.md"
TO_DOCUMENT_PAGE = f"{SCENARIOS_DIR}/a-documenter.md"
UNMAPPED_PAGE = f"{SCENARIOS_DIR}/tickets-non-rattaches.md"
_LISTS = (INDEX_PAGE, TO_DOCUMENT_PAGE, UNMAPPED_PAGE)  # in the navigation; a scenario's page is not
CLIENT_SCENARIOS = 10  # scenarios listed on a client's page: the index has them all
WHERE_SHOWN = 5  # places (FILE:LINE) listed for an unmapped value
PROBLEMS_SHOWN = 200  # skipped rows listed on the maintainers' page: the build's output has every one
# The words of the maintainers' page for the facts' counts and the unmapped reasons (tickets.pipeline).
COUNT_WORDS = {"files": "scenario.count.files", "read": "scenario.count.read", "skipped": "scenario.count.skipped",
               "duplicates": "scenario.count.duplicates", "not-resolved": "scenario.count.not-resolved",
               "mined": "scenario.count.mined", "in-scenarios": "scenario.count.in-scenarios",
               "scenarios": "scenario.count.scenarios"}
REASON_WORDS = {"unknown-client": "scenario.reason.unknown-client",
                "ambiguous-client": "scenario.reason.ambiguous-client",
                "no-client": "scenario.reason.no-client", "unknown-category": "scenario.reason.unknown-category"}
_PROBLEM_PLACE = re.compile(r"^(.+?:\d+): ([^:]{1,80}):")


def with_tickets(kb: KnowledgeBase, root: Path, lang: str, log=None) -> KnowledgeBase:
    """`kb` with the facts of root/content/tickets/ as `kb.tickets` (tickets/facts.py: mined, or taken from
    the cache when nothing changed); `log` (a logging.Logger) gets each problem of the reading as a warning
    and a warning that counts the rows skipped (the build goes on without them), then, as information,
    how many tickets could not be placed (UNMAPPED_PAGE lists them) and how the scenarios were made."""
    started = time.perf_counter()
    facts, reused = ticket_facts(root, kb, lang)
    if facts is not None and log is not None:
        for line in facts.problems:
            log.warning(line)
        counts = facts.counts
        if facts.problems:
            log.warning(f"{TICKETS_FOLDER}: {counts.get('skipped', 0)} rows skipped, {len(facts.problems)} problems "
                        "(the lines above); the site is built from the other rows")
        if facts.unmapped:
            reasons = ", ".join(f"{reason} {counts[reason]}" for reason in REASON_WORDS if counts.get(reason))
            log.info(f"{TICKETS_FOLDER}: {len(facts.unmapped)} solved or closed tickets not placed ({reasons}), "
                     f"listed on the page {UNMAPPED_PAGE.removesuffix('.md')}")
        how = "from the cache" if reused else f"mined in {time.perf_counter() - started:.1f} s"
        log.info(f"{TICKETS_FOLDER}: {counts.get('scenarios', 0)} scenarios from {counts.get('read', 0)} tickets "
                 f"({how})")
    return dataclasses.replace(kb, tickets=facts) if facts is not kb.tickets else kb


def scenario_page(scenario_id: str) -> str:
    """The page of a scenario in the docs folder. Ids are slugs that begin with a category id: one that
    would be the name of a list page gets a suffix."""
    name = scenario_id if f"{SCENARIOS_DIR}/{scenario_id}.md" not in _LISTS else f"{scenario_id}-scenario"
    return f"{SCENARIOS_DIR}/{name}.md"


def out_of_nav(path: str) -> bool:
    """Whether a generated page stays out of the navigation: a scenario's page (there may be thousands)."""
    return path.startswith(f"{SCENARIOS_DIR}/") and path not in _LISTS


class Scenarios:
    """The scenarios of one rendering, and how they tie to articles, clients and categories."""

    def __init__(self, site: SiteContext):
        self.site = site
        self.facts = site.kb.tickets
        self.all = list(getattr(self.facts, "scenarios", ()))
        self.by_id = {s.id: s for s in self.all}

    @property
    def present(self) -> bool:
        """Whether the site has ticket exports, hence scenario pages (maybe none of a scenario)."""
        return self.facts is not None

    @cached_property
    def articles(self) -> dict[str, list[Article]]:
        """The articles whose front matter names each scenario, in file order."""
        found: dict[str, list[Article]] = {}
        for article in self.site.kb.articles:
            if article.scenario in self.by_id:
                found.setdefault(article.scenario, []).append(article)
        return found

    @cached_property
    def stale_articles(self) -> list[Article]:
        """Articles that name a scenario the tickets no longer give."""
        return [a for a in self.site.kb.articles if a.scenario and a.scenario not in self.by_id]

    @cached_property
    def by_client(self) -> dict[str, list]:
        """Each client's scenarios, those with most of its tickets first."""
        found: dict[str, list] = {}
        for scenario in sorted(self.all, key=_frequent):
            for slug in scenario.clients:
                found.setdefault(slug, []).append(scenario)
        for slug, scenarios in found.items():
            scenarios.sort(key=lambda s: -self.client_tickets(s.id, slug))  # stable: then most frequent
        return found

    def client_tickets(self, scenario_id: str, slug: str) -> int:
        return self.facts.client_tickets.get(scenario_id, {}).get(slug, 0)

    @cached_property
    def by_category(self) -> dict[str, list]:
        found: dict[str, list] = {}
        for scenario in sorted(self.all, key=_frequent):
            found.setdefault(scenario.category, []).append(scenario)
        return found

    def url(self, scenario_id: str, from_depth: int) -> str:
        return self.site.url(scenario_page(scenario_id), from_depth)

    def link(self, scenario, from_depth: int) -> Fields:
        """What a list shows of a scenario: its URL, title, figures and whether an article documents it."""
        articles = [(self.site.url(a.page, from_depth), a.title) for a in self.articles.get(scenario.id, ())]
        return Fields(url=self.url(scenario.id, from_depth), title=scenario.title, occurrences=scenario.occurrences,
                      clients=len(scenario.clients), last_seen=_day(scenario.last_seen), articles=articles,
                      category=scenario.category)


_scenarios: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def scenarios_of(site: SiteContext) -> Scenarios:
    """The Scenarios of a rendering, made once (client pages ask for theirs one by one)."""
    found = _scenarios.get(site)
    if found is None:
        found = _scenarios[site] = Scenarios(site)
    return found


def _frequent(scenario) -> tuple:
    """Most tickets first, then the one seen last, then by id: a stable order for lists."""
    last = scenario.last_seen
    seconds = last.toordinal() * 86400 + last.hour * 3600 + last.minute * 60 + last.second if last else 0
    return (-scenario.occurrences, -seconds, scenario.id)


def _day(moment) -> str:
    return moment.date().isoformat() if moment is not None else ""


def _depth(site: SiteContext, path: str) -> int:
    return depth_of(page_url(path, site.directory_urls))


def duration(site: SiteContext, delta) -> str:
    """A time to resolve as a person reads it: 45 min, 2 h 5 min, 3 j 4 h."""
    if delta is None:
        return site.t("scenario.unknown")
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60:
        return site.t("duration.minutes", m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return site.t("duration.hours", h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return site.t("duration.days", d=days, h=hours)


_SHELL_SPECIAL = set('"$`\\!')


def article_command(scenario) -> str:
    """The command that writes an article for this scenario, filled in and tied to it (its front matter's
    `scenario:`). A title with an apostrophe and nothing a shell reads inside double quotes is quoted with
    those, as a person would type it, rather than shlex's '...'"'"'...'."""
    command = f"{new_article_command(scenario)} --scenario {scenario.id}"
    title = scenario.title
    if "'" in title and not _SHELL_SPECIAL & set(title):
        command = f'scopekb new article "{title}"' + command[command.rindex(" --category "):]
    return command


def scenario_body(site: SiteContext, found: Scenarios, scenario) -> str:
    path = scenario_page(scenario.id)
    depth = _depth(site, path)
    kb, t = site.kb, site.t
    articles = [(site.url(a.page, depth), a.title) for a in found.articles.get(scenario.id, ())]
    clients = [("../" * depth + client_html(slug), kb.clients[slug].name) for slug in scenario.clients
               if slug in kb.clients]
    share = None
    if scenario.n1_share is not None:
        share = t("scenario.n1-share-value", percent=round(scenario.n1_share * 100), known=scenario.levels_known)
    figures = [
        (site.w["scenario.occurrences"], str(scenario.occurrences)),
        (site.w["scenario.clients"], f"{len(scenario.clients)} ({t('scenario.unknown-clients', n=scenario.unknown_clients)})"
         if scenario.unknown_clients else str(len(scenario.clients))),
        (site.w["scenario.first-seen"], _day(scenario.first_seen) or t("scenario.unknown")),
        (site.w["scenario.last-seen"], _day(scenario.last_seen) or t("scenario.unknown")),
        (site.w["scenario.median"], duration(site, scenario.median_time_to_resolve)),
        (site.w["scenario.n1-share"], share or t("scenario.unknown")),
    ]
    return render_html(
        "scenario.html.j2", t=t, w=site.w, colon=site.w["word.colon"], heading=site.heading, s=scenario,
        articles=articles, command=article_command(scenario), category_label=kb.provider.catalog[scenario.category].label,
        category_url=site.url(category_page(scenario.category), depth), figures=figures, clients=clients,
        symptoms=[scenario.title, *scenario.symptoms],
        resolution=[line.strip() for line in scenario.resolution.splitlines() if line.strip()],
        index_url=site.url(INDEX_PAGE, depth))


def index_body(site: SiteContext, found: Scenarios) -> str:
    depth = _depth(site, INDEX_PAGE)
    catalog = site.kb.provider.catalog
    groups = [Fields(id=cid, label=catalog[cid].label, url=site.url(category_page(cid), depth),
                     scenarios=[found.link(s, depth) for s in found.by_category[cid]])
              for cid in catalog if cid in found.by_category]
    counts = found.facts.counts
    undocumented = sum(1 for s in found.all if not found.articles.get(s.id))
    return render_html("scenarios.html.j2", t=site.t, w=site.w, heading=site.heading, groups=groups,
                       scenarios=len(found.all), grouped=counts.get("in-scenarios", 0), mined=counts.get("mined", 0),
                       undocumented=undocumented, todo_url=site.url(TO_DOCUMENT_PAGE, depth),
                       unmapped_url=site.url(UNMAPPED_PAGE, depth))


def to_document_body(site: SiteContext, found: Scenarios) -> str:
    depth = _depth(site, TO_DOCUMENT_PAGE)
    catalog = site.kb.provider.catalog
    rows = []
    for scenario in sorted(found.all, key=_frequent):
        if not found.articles.get(scenario.id):
            row = found.link(scenario, depth)
            row.label = catalog[scenario.category].label
            row.category_url = site.url(category_page(scenario.category), depth)
            row.command = article_command(scenario)
            rows.append(row)
    return render_html("to-document.html.j2", t=site.t, w=site.w, colon=site.w["word.colon"], rows=rows)


def unmapped_body(site: SiteContext, found: Scenarios) -> str:
    facts = found.facts
    counts = [(site.w[key], facts.counts.get(name, 0)) for name, key in COUNT_WORDS.items()]
    groups = []
    for reason, key in REASON_WORDS.items():
        values: dict[str, list[str]] = {}
        for ticket in facts.unmapped:
            if ticket.reason == reason:
                values.setdefault(ticket.value, []).append(ticket.where)
        if values:
            rows = [Fields(value=value, count=len(wheres), wheres=wheres[:WHERE_SHOWN],
                           more=len(wheres) - WHERE_SHOWN)
                    for value, wheres in sorted(values.items(), key=lambda item: (-len(item[1]), item[0]))]
            groups.append(Fields(reason=reason, title=site.w[key], rows=rows,
                                 tickets=sum(row.count for row in rows)))
    # A problem line may quote a cell of the export: the page shows where it is and which key, scrubbed.
    scrubber = Scrubber(kb_contacts(site.kb), site.lang)
    places = []
    for line in facts.problems[:PROBLEMS_SHOWN]:
        found_place = _PROBLEM_PLACE.match(line)
        if found_place:
            places.append(scrubber.text(f"{found_place.group(1)}: {found_place.group(2)}"))
    depth = _depth(site, UNMAPPED_PAGE)
    stale = [(site.url(a.page, depth), a.title, a.scenario) for a in found.stale_articles]
    return render_html("unmapped.html.j2", t=site.t, w=site.w, colon=site.w["word.colon"], heading=site.heading,
                       counts=counts, groups=groups, problems=places,
                       problems_more=len(facts.problems) - min(len(facts.problems), PROBLEMS_SHOWN), stale=stale)


def scenario_pages(site: SiteContext) -> dict[str, str]:
    """The scenario pages, their index, the list to document and the maintainers' page, each a title and
    HTML (html_page), by path in the docs folder; none when the site has no ticket exports."""
    found = scenarios_of(site)
    if not found.present:
        return {}
    t = site.t
    pages = {INDEX_PAGE: html_page(t("scenario.index-title"), index_body(site, found)),
             TO_DOCUMENT_PAGE: html_page(t("scenario.todo-title"), to_document_body(site, found)),
             UNMAPPED_PAGE: html_page(t("scenario.unmapped-title"), unmapped_body(site, found))}
    for scenario in found.all:
        pages[scenario_page(scenario.id)] = html_page(scenario.title, scenario_body(site, found, scenario))
    return pages


def client_scenarios(site: SiteContext, slug: str, from_depth: int) -> Fields | None:
    """What a client's page lists of its scenarios (the most frequent), None when the site has no tickets."""
    found = scenarios_of(site)
    if not found.present:
        return None
    mine = found.by_client.get(slug, [])
    links = []
    for scenario in mine[:CLIENT_SCENARIOS]:
        link = found.link(scenario, from_depth)
        link.mine = found.client_tickets(scenario.id, slug)
        links.append(link)
    return Fields(links=links,
                  more=len(mine) - CLIENT_SCENARIOS, index_url=site.url(INDEX_PAGE, from_depth))


def category_scenarios(site: SiteContext, category: str, from_depth: int) -> list[Fields] | None:
    """A category page's scenarios, most frequent first; None when the site has no tickets."""
    found = scenarios_of(site)
    if not found.present:
        return None
    return [found.link(s, from_depth) for s in found.by_category.get(category, ())]
