"""Every request the checker parity test puts to both engines, and Python's answers.

The combinations follow the site issue: kind x subject x request date x
acquisition date, where the subjects are everything a technician can type or
pick for this client and the dates sit on each contract's edges.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from scopekb.coverage.decide import Request, decide
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import REQUEST_KINDS, Client, KnowledgeBase, normal_form

DAY = dt.timedelta(days=1)
NONSENSE = "zorglub quantique"
UNKNOWN_ASSET = "ZZ-9999"


@dataclass(frozen=True)
class Subject:
    item: str | None = None
    asset: str | None = None


def subjects(kb: KnowledgeBase, client: Client) -> list[Subject]:
    """Scope items, catalogue labels and keywords, asset ids and models, empty and nonsense."""
    found: list[Subject] = []
    for contract in client.contracts:
        for entry in contract.scope:
            found += [Subject(item=item) for item in entry.items]
    for category in kb.provider.catalog.values():
        found.append(Subject(item=category.label))
        found += [Subject(item=keyword) for keyword in category.keywords]
    for contract in client.contracts:
        for asset in contract.equipment:
            found.append(Subject(asset=asset.id))
            found.append(Subject(asset=asset.id.lower()))  # ids are compared ignoring case
            if asset.model:
                found.append(Subject(item=asset.model))
                found.append(Subject(item=f"mon {asset.model} est en panne"))
    found += ties(kb, client)
    found += [Subject(), Subject(item=""), Subject(item="   "), Subject(item=NONSENSE),
              Subject(asset=UNKNOWN_ASSET), Subject(asset="  ")]
    return list(dict.fromkeys(found))


def ties(kb: KnowledgeBase, client: Client) -> list[Subject]:
    """Texts naming two candidates of one length and different categories, in both orders:
    the tie goes to the candidate that comes first in the spec's order, not in the text."""
    texts = [(item, e.category) for c in client.contracts for e in c.scope for item in e.items]
    texts += [(a.model, a.category) for c in client.contracts for a in c.equipment if a.model]
    texts += [(cat.label, cat.id) for cat in kb.provider.catalog.values()]
    texts += [(word, cat.id) for cat in kb.provider.catalog.values() for word in cat.keywords]
    by_length: dict[int, list[tuple[str, str]]] = {}
    for text, category in texts:
        by_length.setdefault(len(normal_form(text)), []).append((text, category))
    found = []
    for group in by_length.values():
        first, category = group[0]
        other = next((text for text, cat in group if cat != category), None)
        if other is not None:
            found += [Subject(item=f"{first} / {other}"), Subject(item=f"{other} / {first}")]
    return found


def request_dates(client: Client) -> list[dt.date]:
    """Day before start, start, a day in force, end and day after end, of each contract."""
    days: set[dt.date] = set()
    for contract in client.contracts:
        days.update({contract.start - DAY, contract.start})
        if contract.end is None:
            days.add(contract.start + dt.timedelta(days=400))
        else:
            days.update({contract.start + (contract.end - contract.start) / 2, contract.end,
                         contract.end + DAY})
    return sorted(days)


def acquisition_dates(client: Client) -> list[dt.date | None]:
    """Unknown, and the day before, of and after each contract's signing."""
    days = {d for c in client.contracts for d in (c.signed - DAY, c.signed, c.signed + DAY)}
    return [None, *sorted(days)]


def requests(kb: KnowledgeBase, client: Client) -> list[Request]:
    return [
        Request(client=client.slug, date=day, kind=kind, item=subject.item, asset=subject.asset,
                acquired=acquired)
        for kind in REQUEST_KINDS
        for subject in subjects(kb, client)
        for day in request_dates(client)
        for acquired in acquisition_dates(client)
    ]


def as_js(req: Request) -> dict:
    """The request as `window.scopekbDecide` takes it."""
    return {"client": req.client, "date": req.date.isoformat(), "kind": req.kind, "item": req.item,
            "asset": req.asset, "acquired": req.acquired.isoformat() if req.acquired else None}


def expected(kb: KnowledgeBase, req: Request, lang: str) -> dict:
    return decide(kb, req, lang).as_json()


_loaded: dict[str, KnowledgeBase] = {}


def python_answers(root: str, slug: str, lang: str, stride: int = 1) -> list[dict]:
    """Python's answers to `requests(...)[::stride]` for one client; runs in a worker process."""
    if root not in _loaded:
        _loaded[root] = load_knowledge_base(Path(root))
    kb = _loaded[root]
    return [expected(kb, req, lang) for req in requests(kb, kb.clients[slug])[::stride]]
