"""Contract health, as data: per client, the calls out of its contracts' scope over the last 12 months by
category, and its contracts ending within 90 days. No MkDocs here.

The calls and their verdicts come from the closed tickets' facts (tickets/facts.py, `kb.tickets`): a call
is outside when `coverage.decide` says out-of-scope or no-contract for an incident of that client, on the
day it was opened, about its category. What ends within 90 days needs no ticket: every site shows it.
The home page's overview puts the clients to watch first (`watch_order`).
"""
from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass, field

from scopekb.kb.model import Client, Contract
from scopekb.site.context import SiteContext

WINDOW_DAYS = 365  # "the last 12 months": the calls opened after the same day a year before, up to today
ENDING_DAYS = 90  # a contract ending within this many days is one to renew


@dataclass(frozen=True)
class CategoryCalls:
    category: str
    outside: int
    calls: int


@dataclass
class ClientHealth:
    """One client's health: its calls outside its contracts over the window, by category (most first), and
    its contracts ending within ENDING_DAYS (soonest first), each with the days left."""
    outside: int = 0
    calls: int = 0
    by_category: list[CategoryCalls] = field(default_factory=list)
    ending: list[tuple[Contract, int]] = field(default_factory=list)

    @property
    def ending_in(self) -> int | None:
        """Days until the first of its contracts that ends within ENDING_DAYS, if one does."""
        return self.ending[0][1] if self.ending else None


def window_start(today: dt.date) -> dt.date:
    """The first day of the window of 12 months that ends on `today`."""
    return today - dt.timedelta(days=WINDOW_DAYS - 1)


def ending_contracts(client: Client, today: dt.date) -> list[tuple[Contract, int]]:
    """The client's contracts whose end falls within ENDING_DAYS from today (today included), soonest first."""
    found = [(c, (c.end - today).days) for c in client.contracts
             if c.end is not None and 0 <= (c.end - today).days <= ENDING_DAYS]
    return sorted(found, key=lambda item: (item[1], item[0].id))


_health: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def health(site: SiteContext) -> dict[str, ClientHealth]:
    """Each client's health, by slug, computed once per SiteContext (the home page and every client page
    ask for it)."""
    found = _health.get(site)
    if found is None:
        found = _health[site] = _compute(site)
    return found


def _compute(site: SiteContext) -> dict[str, ClientHealth]:
    today, since = site.today, window_start(site.today)
    by_client: dict[str, dict[str, list[int]]] = {}
    facts = site.kb.tickets
    for calls in getattr(facts, "calls", ()):
        if since <= calls.day <= today and calls.client in site.kb.clients:
            tally = by_client.setdefault(calls.client, {}).setdefault(calls.category, [0, 0])
            tally[0] += calls.outside
            tally[1] += calls.calls
    found = {}
    for slug, client in site.kb.clients.items():
        state = ClientHealth(ending=ending_contracts(client, today))
        for category, (outside, calls) in by_client.get(slug, {}).items():
            state.by_category.append(CategoryCalls(category, outside, calls))
            state.outside += outside
            state.calls += calls
        state.by_category.sort(key=lambda c: (-c.outside, -c.calls, c.category))
        found[slug] = state
    return found


def watch_key(state: ClientHealth) -> tuple:
    """The overview's order: most calls out of scope first, then the soonest contract end within
    ENDING_DAYS; a stable sort keeps the knowledge base's order (by name) on a tie."""
    ending = state.ending_in
    return (-state.outside, ending if ending is not None else ENDING_DAYS + 1)


def cell(site: SiteContext, state: ClientHealth) -> str:
    """What the overview's health column says of a client: its calls out of scope, its next contract end."""
    parts = []
    if state.outside:
        parts.append(site.t("health.cell-outside", n=state.outside))
    if state.ending_in is not None:
        parts.append(site.t("health.cell-ending", days=state.ending_in))
    return site.t("word.list-sep").join(parts)
