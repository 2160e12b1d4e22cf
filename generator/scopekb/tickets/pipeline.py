"""The whole way from a knowledge base's ticket exports to its resolution scenarios.

read (content/tickets/) -> one ticket per id -> solved or closed only -> map
(catalogue category, client) -> scrub -> mine (per category) -> scenarios.

Pure: reads the exports, returns data, writes nothing and imports no MkDocs.
Nothing is dropped silently: skipped rows are problem lines, tickets that
could not be mapped are listed by reason with their file and line, and the
counts say how many tickets went where.
"""
from __future__ import annotations

import datetime as dt
import os
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .mapping import UNKNOWN_CATEGORY, KnowledgeBase, TicketMapper
from .read import TICKETS_FOLDER, read_tickets
from .records import RESOLVED_STATUSES, MiningSettings, ReadResult, Scenario, Ticket
from .scrub import Scrubber


_STATUS_RANK = {"closed": 2, "solved": 1}


@dataclass(frozen=True)
class Unmapped:
    """A ticket the knowledge base could not place: where it is, and what did not match."""
    where: str  # FILE:LINE
    id: str
    reason: str  # unknown-client | ambiguous-client | no-client | unknown-category
    value: str  # the client or category path as the export wrote it


@dataclass(frozen=True)
class MiningResult:
    """What mining a knowledge base's tickets gave.

    `problems` are one line each: rows skipped while reading, files in no
    known format, category overrides naming no catalogue category.
    `unmapped` lists tickets by reason: those of unknown category are not
    mined (a scenario belongs to a category); those of unknown client are
    mined all the same (the malfunction is real) and counted in their
    scenario's `unknown_clients`. `counts` has: read, skipped, duplicates,
    not-resolved, mined, in-scenarios, scenarios, and one per unmapped reason.
    """
    scenarios: list[Scenario]
    unmapped: dict[str, list[Unmapped]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def kb_contacts(kb: KnowledgeBase) -> list[str]:
    """Names to scrub that the knowledge base knows: its provider's teams, and any contact a contract lists."""
    names = [team.name for team in kb.provider.teams.values()]
    for contract in kb.contracts:
        for contact in getattr(contract, "contacts", ()) or ():  # contracts may list contacts one day
            names.append(getattr(contact, "name", contact))
    return [n for n in names if isinstance(n, str) and n.strip()]


def one_per_id(tickets: Iterable[Ticket]) -> tuple[list[Ticket], int]:
    """One ticket per id, however many exports hold it (overlapping monthly exports do): the one closed,
    resolved or opened last, a closed one before a solved one before an open one on the same date, the
    first read on a tie. Returns the tickets and how many were left out."""
    def latest(t: Ticket) -> tuple:
        return (t.closed or t.ended or t.opened or dt.datetime.min, _STATUS_RANK.get(t.status, 0))

    kept: dict[str, Ticket] = {}
    duplicates = 0
    for ticket in tickets:
        held = kept.get(ticket.id)
        if held is not None:
            duplicates += 1
            if latest(ticket) <= latest(held):
                continue
        kept[ticket.id] = ticket
    return list(kept.values()), duplicates


def mine_tickets(tickets: Iterable[Ticket], kb: KnowledgeBase, lang: str = "fr",
                 overrides: Mapping[str, str] | None = None, contacts: Iterable[str] = (),
                 settings: MiningSettings | None = None, read: ReadResult | None = None) -> MiningResult:
    """Scenarios from tickets already read; `read`, if given, brings its problems and counts along."""
    from .scenarios import distinct_ids, natural_key  # the mining's libraries, imported when mining

    settings = settings or MiningSettings()
    if overrides is None:
        overrides = getattr(kb.provider, "ticket_categories", None)  # once provider.yaml has the key
    mapper = TicketMapper(kb, overrides)
    contacts = tuple(kb_contacts(kb)) + tuple(contacts)
    unique, duplicates = one_per_id(tickets)
    counts = {"read": len(unique) + duplicates, "skipped": read.skipped_total if read else 0,
              "duplicates": duplicates, "not-resolved": 0}
    unmapped: dict[str, list[Unmapped]] = {}
    by_category: dict[str, list[tuple[Ticket, str | None]]] = {}
    for ticket in sorted(unique, key=lambda t: (natural_key(t.id), t.source, t.line)):
        if ticket.status not in RESOLVED_STATUSES:
            counts["not-resolved"] += 1
            continue
        mapped = mapper.map(ticket)
        for reason in mapped.reasons:
            value = " > ".join(ticket.category) if reason == UNKNOWN_CATEGORY else ticket.client
            unmapped.setdefault(reason, []).append(Unmapped(ticket.where, ticket.id, reason, value))
        if mapped.category is not None:
            by_category.setdefault(mapped.category, []).append((ticket, mapped.client))
    scenarios = [s for found in _per_category(by_category, contacts, lang, settings) for s in found]
    for reason, items in unmapped.items():
        counts[reason] = len(items)
    counts["mined"] = sum(len(v) for v in by_category.values())
    counts["in-scenarios"] = sum(s.occurrences for s in scenarios)
    counts["scenarios"] = len(scenarios)
    problems = (list(read.problems) if read else []) + mapper.override_problems()
    return MiningResult(distinct_ids(scenarios), unmapped, problems, counts)


def mine_category(category: str, entries: list[tuple[Ticket, str | None]], contacts: tuple[str, ...],
                  lang: str, settings: MiningSettings) -> list[Scenario]:
    """The scenarios of one category's tickets (each with its client slug or None), scrubbed here."""
    from .counts import EmptyVocabulary
    from .mine import TextPrep, cluster, vectors
    from .scenarios import build_scenario

    if len(entries) < settings.min_occurrences:
        return []
    scrubber, prep = Scrubber(contacts, lang), TextPrep(lang)
    tickets = [scrubber.ticket(t) for t, _ in entries]
    clients = [c for _, c in entries]
    documents = [prep.documents(t, settings.title_weight) for t in tickets]
    try:
        vecs = vectors(documents, settings)
    except EmptyVocabulary:  # every text is stop words, numbers or scrubbed away: nothing to group them by
        return []
    words = [d[1] for d in documents]
    return [build_scenario(category, tickets, clients, members, vecs, words, prep)
            for members in cluster(vecs.rows, settings, vecs.texts) if len(members) >= settings.min_occurrences]


def _per_category(by_category: dict[str, list[tuple[Ticket, str | None]]], contacts: tuple[str, ...],
                  lang: str, settings: MiningSettings) -> list[list[Scenario]]:
    """`mine_category` for each category, in category order; in worker processes for a large export.

    Categories are independent, and scrubbing, vectors and clustering are
    most of the time: on 2 cores, two processes halve it. Below
    `settings.parallel_from` tickets, starting processes costs more than it
    saves. A machine that cannot start them gets the work done here.
    """
    categories = sorted(by_category)
    workers = settings.workers or len(os.sched_getaffinity(0))
    total = sum(len(v) for v in by_category.values())
    if workers > 1 and total >= settings.parallel_from and len(categories) > 1:
        # Imported here: every build imports this module, few mine this many tickets.
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool
        from multiprocessing import get_context

        largest_first = sorted(categories, key=lambda c: (-len(by_category[c]), c))
        try:
            with ProcessPoolExecutor(min(workers, len(categories)), mp_context=get_context("spawn")) as pool:
                futures = {c: pool.submit(mine_category, c, by_category[c], contacts, lang, settings)
                           for c in largest_first}
                return [futures[c].result() for c in categories]
        except (OSError, BrokenProcessPool):
            pass
    return [mine_category(c, by_category[c], contacts, lang, settings) for c in categories]


def mine_knowledge_base(root: Path, kb: KnowledgeBase, lang: str = "fr", contacts: Iterable[str] = (),
                        overrides: Mapping[str, str] | None = None,
                        settings: MiningSettings | None = None) -> MiningResult:
    """Scenarios from every export under `root`/content/tickets/, for the knowledge base `kb`.

    `contacts` adds names to scrub to those of the provider's teams;
    `overrides` maps the tools' category paths to catalogue ids
    (`{"Bureautique > Outlook": "office-apps"}`), by default the provider's
    `ticket_categories` when the model has it.
    """
    read = read_tickets(Path(root) / TICKETS_FOLDER, root=Path(root))
    return mine_tickets(read.tickets, kb, lang, overrides, contacts, settings, read)


def new_article_command(scenario: Scenario) -> str:
    """The `scopekb new article` command line that starts an article from this scenario, quoted for a shell."""
    return f"scopekb new article {shlex.quote(scenario.title)} --category {shlex.quote(scenario.category)}"
