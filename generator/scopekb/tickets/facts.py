"""What the site shows of the closed tickets, mined once and kept until an export or the knowledge base changes.

`ticket_facts(root, kb, lang)` reads every export under content/tickets/,
mines it (pipeline.mine_tickets), and counts the calls each client made, per
catalogue category and day, with how many of them fell outside its contracts:
the verdict of `coverage.decide` for an incident of the client on the day the
ticket was opened, the category's label as the item; `out-of-scope` and
`no-contract` count as outside. Each verdict is asked once per (client,
category, day).

Mining 10,000 tickets takes seconds of CPU (docs/tickets.md): the facts are
kept in .scopekb-cache/tickets.pickle, written by kb.cache.write_atomic, and
used again while nothing they came from changed: the exports' signatures (size,
mtime, ctime, inode, as kb/cache.py keys contract files), the knowledge base's
provider (catalogue, teams, ticket_categories), clients and contracts, the
language, the mining settings and scopekb's version. An export changed less
than kb.cache.RACY_NS ago is read again next time, as a contract file is.

What was mined (`Mined`: everything but the calls' verdicts) is also kept, in
.scopekb-cache/tickets-mined.pickle, under a narrower key: the exports, the
provider, the names that name each client (tickets are placed by them) and the
contacts scrubbed from ticket text, the language, the settings and the
version. A contract whose perimeter or dates change (the usual edit) only has
the calls decided again: a first build's mining is mostly importing
scikit-learn and scipy, a second.

Nothing here imports the mining's libraries (numpy, scikit-learn: seconds of imports) until
`mine` mines: facts read back from either cache cost none.

Only scrubbed ticket text is kept here: scenarios are made of scrubbed
tickets (pipeline.mine_category), and the client or category an unmapped
ticket names is scrubbed with the ticket's own people. `problems` are the
reading's lines as they are, which may quote a cell: for the build's output,
never for a page.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from time import time_ns

from scopekb import __version__
from scopekb.coverage.decide import Request, decide
from scopekb.kb.cache import CACHE_DIR, RACY_NS, write_atomic
from scopekb.kb.model import KnowledgeBase

from .mapping import TicketMapper
from .pipeline import kb_contacts, mine_tickets, one_per_id
from .read import TICKETS_FOLDER, export_files, read_tickets
from .records import MiningSettings, Scenario
from .scrub import Scrubber

CACHE_FILE = f"{CACHE_DIR}/tickets.pickle"
MINED_FILE = f"{CACHE_DIR}/tickets-mined.pickle"
FORMAT = 3  # of the cached facts: a cache of another format is not read
OUTSIDE = ("out-of-scope", "no-contract")  # verdicts of a call its client's contracts do not cover


@dataclass(frozen=True)
class UnmappedTicket:
    """A solved or closed ticket the knowledge base could not place, as a maintainers' page may show it."""
    where: str  # FILE:LINE
    id: str
    reason: str  # unknown-client | ambiguous-client | no-client | unknown-category
    value: str  # the client or category path as the export wrote it, scrubbed


@dataclass(frozen=True)
class Calls:
    """The tickets a client opened on one day about one category, and how many were outside its contracts."""
    client: str  # slug
    category: str
    day: dt.date
    calls: int
    outside: int


@dataclass(frozen=True)
class TicketFacts:
    """Everything the site needs of the exports under content/tickets/.

    `counts` are mine_tickets' (read, skipped, duplicates, not-resolved, mined,
    in-scenarios, scenarios, one per unmapped reason) and `files`, the exports
    read. `calls` covers every ticket of known client, category and date,
    whatever its status: a call is a call, solved or not.
    """
    scenarios: tuple[Scenario, ...]
    unmapped: tuple[UnmappedTicket, ...]
    problems: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)
    calls: tuple[Calls, ...] = ()
    # scenario id -> client slug -> how many of its tickets are that client's
    client_tickets: dict[str, dict[str, int]] = field(default_factory=dict)


def export_signatures(root: Path) -> tuple[tuple[str, tuple[int, int, int, int]], ...] | None:
    """(root-relative path, (size, mtime, ctime, inode)) of each export, in reading order; None when one
    cannot be looked at."""
    found = []
    try:
        for path in export_files(root / TICKETS_FOLDER):
            st = path.stat()
            found.append((path.relative_to(root).as_posix(), (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)))
    except OSError:
        return None
    return tuple(found)


def knowledge_key(kb: KnowledgeBase, lang: str, settings: MiningSettings) -> str:
    """A digest of what the facts depend on besides the exports: the same for the same data, whether the
    knowledge base was checked now or read back from kb/cache.py's snapshot (records' repr, not pickles,
    whose bytes depend on how objects happen to be shared)."""
    text = repr((FORMAT, __version__, lang, settings, kb.provider, sorted(kb.names.items()),
                 list(kb.clients.values())))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Mined:
    """The facts but the calls' verdicts: what only the exports, the provider, the clients' names and the
    contacts make (`mining_key`). `counted`: (client, category, day, calls) of every placed ticket."""
    scenarios: tuple[Scenario, ...]
    unmapped: tuple[UnmappedTicket, ...]
    problems: tuple[str, ...]
    counts: dict[str, int]
    client_tickets: dict[str, dict[str, int]]
    counted: tuple[tuple[str, str, dt.date, int], ...]


def mining_key(kb: KnowledgeBase, lang: str, settings: MiningSettings) -> str:
    """A digest of what `mine` reads of the knowledge base: its provider, the names that name each client
    (a ticket is placed by them) and the contacts scrubbed from ticket text; not the contracts'
    perimeters or dates, which only the calls' verdicts read."""
    text = repr((FORMAT, __version__, lang, settings, kb.provider, sorted(kb.names.items()), kb_contacts(kb)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def mine(root: Path, kb: KnowledgeBase, lang: str = "fr", settings: MiningSettings | None = None) -> Mined:
    """Read, place, scrub and mine the exports under root/content/tickets/."""
    root = Path(root)
    read = read_tickets(root / TICKETS_FOLDER, root=root)
    overrides = kb.provider.ticket_categories
    result = mine_tickets(read.tickets, kb, lang, overrides, settings=settings, read=read)
    unique, _ = one_per_id(read.tickets)
    by_id = {t.id: t for t in unique}
    scrubber = Scrubber(kb_contacts(kb), lang)
    unmapped = []
    for reason, items in result.unmapped.items():
        for item in items:
            ticket = by_id.get(item.id)
            names = (ticket.requesters + ticket.technicians) if ticket else ()
            unmapped.append(UnmappedTicket(item.where, item.id, reason, scrubber.text(item.value, names)))
    counts = dict(result.counts, files=len(export_files(root / TICKETS_FOLDER)))
    mapper = TicketMapper(kb, overrides)
    placed = {t.id: mapper.map(t) for t in unique}
    client_tickets = {s.id: dict(Counter(placed[i].client for i in s.tickets if placed[i].client))
                      for s in result.scenarios}
    return Mined(tuple(result.scenarios), tuple(unmapped), tuple(result.problems), counts, client_tickets,
                 count_calls(unique, placed))


def count_calls(tickets, placed: dict) -> tuple[tuple[str, str, dt.date, int], ...]:
    """(client, category, day, calls) of the tickets of known client, category and date; `placed` maps each
    ticket's id to where TicketMapper placed it."""
    counted: Counter = Counter()
    for ticket in tickets:
        when = ticket.opened or ticket.ended
        if when is None:
            continue
        mapped = placed[ticket.id]
        if mapped.client and mapped.category:
            counted[(mapped.client, mapped.category, when.date())] += 1
    return tuple((client, category, day, n) for (client, category, day), n in sorted(counted.items()))


def with_calls(mined: Mined, kb: KnowledgeBase, lang: str) -> TicketFacts:
    """The facts: what was mined, and each (client, category, day)'s calls outside the client's contracts,
    its verdict asked once."""
    catalog = kb.provider.catalog
    calls = []
    for client, category, day, n in mined.counted:
        verdict = decide(kb, Request(client=client, date=day, item=catalog[category].label), lang).verdict
        calls.append(Calls(client, category, day, n, n if verdict in OUTSIDE else 0))
    return TicketFacts(mined.scenarios, mined.unmapped, mined.problems, mined.counts, tuple(calls),
                       mined.client_tickets)


def ticket_facts(root: Path, kb: KnowledgeBase, lang: str = "fr", settings: MiningSettings | None = None,
                 use_cache: bool = True) -> tuple[TicketFacts | None, bool]:
    """(the facts, whether they came from the cache); (None, True) when content/tickets/ holds no export."""
    root = Path(root)
    settings = settings or MiningSettings()
    signatures = export_signatures(root)
    if signatures == ():
        return None, True
    key = (knowledge_key(kb, lang, settings), signatures)
    keep = use_cache and signatures is not None
    if keep:
        kept = _read(root / CACHE_FILE, key, TicketFacts)
        if kept is not None:
            return kept, True
    now = time_ns()
    mined_key = (mining_key(kb, lang, settings), signatures)
    mined = _read(root / MINED_FILE, mined_key, Mined) if keep else None
    fresh = mined is None
    if fresh:
        mined = mine(root, kb, lang, settings)
    facts = with_calls(mined, kb, lang)
    # An export changed within the file system's clock tick could change again unseen: not kept.
    if keep and all(sig[2] < now - RACY_NS for _, sig in signatures) and export_signatures(root) == signatures:
        if fresh:
            _write(root / MINED_FILE, mined_key, mined)
        _write(root / CACHE_FILE, key, facts)
    return facts, False


def _write(path: Path, key: tuple, value) -> None:
    write_atomic(path, pickle.dumps(key, pickle.HIGHEST_PROTOCOL) + pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def _read(path: Path, key: tuple, kind: type):
    """The `kind` kept under `key`, else None. The key is read first: the value is unpickled only when it is
    the one wanted."""
    try:
        with open(path, "rb") as fh:
            if pickle.load(fh) != key:
                return None
            value = pickle.load(fh)
        return value if isinstance(value, kind) else None
    except Exception:  # a missing, partial or foreign cache is simply made again
        return None
