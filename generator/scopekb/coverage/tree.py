"""A client's decision tree: the spec's steps, asked about this client's contracts.

The questions are the facts a technician finds out during a call (is a
contract in force, what the request concerns, its kind, when the equipment was
bought), in the spec's order; the tree branches only where the answer changes
the outcome. Every leaf is the `Decision` that decide() returns for a request
answering the questions on its path: nothing here judges coverage by itself.

Each answer also says, as data, which requests it stands for (`Answer.covers`),
so that tests can walk the tree with any request and compare with decide().
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scopekb.coverage.decide import Decision, Found, Request, decide, steps_1_to_3, steps_4_to_7
from scopekb.kb.model import REQUEST_KINDS as KIND_ORDER, Client, Contract, KnowledgeBase, normal_form
from scopekb.words import message, sentences

ONE_DAY = dt.timedelta(days=1)


def day_after(day: dt.date) -> dt.date:
    """The next day; the last day Python knows (9999-12-31, a valid `end`) has none: itself."""
    return day + ONE_DAY if day < dt.date.max else day


def day_before(day: dt.date) -> dt.date:
    """The day before; the first day Python knows (0001-01-01, a valid `start`) has none: itself."""
    return day - ONE_DAY if day > dt.date.min else day


@dataclass(frozen=True, slots=True)
class Leaf:
    decision: Decision


@dataclass(frozen=True, slots=True)
class Answer:
    label: str
    node: "Leaf | Question"
    # What requests take this answer: ("period", start, end), ("subject", frozenset of
    # ("asset", id) | ("item", normal form) | ("other",) | ("none",)), ("kinds", frozenset),
    # ("acquired", first, last) with None for unbounded, or ("acquired-unknown",).
    covers: tuple


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    answers: tuple[Answer, ...]


Node = Leaf | Question


def with_kind(req: Request, kind: str) -> Request:
    # Rather than dataclasses.replace, several times slower: a tree asks dozens of requests.
    return Request(req.client, req.date, kind, req.item, req.asset, req.acquired)


def with_acquired(req: Request, acquired: dt.date) -> Request:
    return Request(req.client, req.date, req.kind, req.item, req.asset, acquired)


def periods(client: Client) -> list[tuple[dt.date, dt.date | None, tuple[Contract, ...]]]:
    """The spans of time in which the set of contracts in force stays the same, oldest first."""
    bounds = sorted({c.start for c in client.contracts} | {day_after(c.end) for c in client.contracts if c.end and c.end < dt.date.max})
    spans = []
    for n, start in enumerate(bounds):
        end = day_before(bounds[n + 1]) if n + 1 < len(bounds) else None
        active = client.in_force(start)
        if active:
            spans.append((start, end, active))
    return spans


def settled_before_kind(decision: Decision, active: tuple[Contract, ...]) -> bool:
    """True when the spec decides before it looks at the kind (steps 1 to 4 for every contract).

    Step 3 outcomes (unknown asset, no match, no subject), and step 4 when the
    category is in the scope of none of the contracts in force: the kind
    cannot change them, so the tree asks no kind there.
    """
    code = decision.reasons[0][0]
    if code in ("asset-unknown", "subject-unknown", "no-contract", "contract-inactive"):
        return True
    return code == "not-in-perimeter" and all(
        entry.category != decision.category for contract in active for entry in contract.scope)


class TreeBuilder:
    def __init__(self, kb: KnowledgeBase, client: Client, lang: str, today: dt.date):
        self.kb, self.client, self.lang, self.today = kb, client, lang, today
        self.t = sentences(lang)
        # (date, item, asset) -> what steps 1 to 3 made of it: the tree asks them for each kind and date
        # of acquisition, and they depend on neither
        self.found: dict[tuple, Decision | Found] = {}

    def decide(self, request: Request) -> Leaf:
        """decide(request), steps 1 to 3 done once per subject."""
        key = (request.date, request.item, request.asset)
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = steps_1_to_3(self.kb, request, self.lang)
        return Leaf(found if isinstance(found, Decision) else steps_4_to_7(found, request))

    def build(self) -> Question:
        """Step 2 first (step 1 is settled: the caller's company is this client)."""
        t, today = self.t, self.today
        answers = []
        for start, end, active in periods(self.client):
            if end is not None and end < today:
                continue  # a call is about today or later; past spans would only mislead
            period = t("period.from-to", start=start.isoformat(), end=end.isoformat()) if end else \
                t("period.from", start=start.isoformat())
            label = t("tree.a-in-force", period=period, contracts=", ".join(c.id for c in active))
            answers.append(Answer(label, self.subject(max(start, today), active), ("period", start, end)))
        first = min(c.start for c in self.client.contracts)
        if first > dt.date.min:  # a contract from 0001-01-01 (a valid date) leaves no day before it
            answers.append(Answer(t("tree.a-not-in-force"), self.decide(Request(self.client.slug, day_before(first))),
                                  ("period", None, None)))
        return Question(t("tree.q-in-force"), tuple(answers))

    def subject(self, day: dt.date, active: tuple[Contract, ...]) -> Question:
        """Step 3: each asset, each scope entry, each other category, and what matches nothing."""
        t, catalog = self.t, self.kb.provider.catalog
        client = self.client.slug
        subjects: list[tuple[str, Node, frozenset]] = []
        seen: set[str] = set()
        for contract in active:
            for asset in contract.equipment:
                if asset.id.casefold() not in seen:
                    seen.add(asset.id.casefold())
                    label = " — ".join(x for x in (t("tree.a-asset", id=asset.id), asset.model,
                                                    catalog[asset.category].label) if x)
                    subjects.append((label, self.kinds(Request(client, day, asset=asset.id), active),
                                     frozenset({("asset", asset.id.casefold())})))
        in_scope = {entry.category for contract in active for entry in contract.scope}
        for contract in active:
            for entry in contract.scope:
                label = catalog[entry.category].label
                # The category's own name goes with its first entry, as the engine picks that one.
                texts = [text for text in (*entry.items, label) if normal_form(text) not in seen]
                if not texts:
                    continue
                seen.update(normal_form(text) for text in texts)
                if len(texts) > 1 or texts[0] != label:
                    label = t("tree.a-entry-items", category=label,
                              items=", ".join(text for text in texts if text != label))
                if len(active) > 1:
                    label = f"{label} ({contract.id})"
                subjects.append((label, self.kinds(Request(client, day, item=texts[0]), active),
                                 frozenset(("item", normal_form(text)) for text in texts)))
        for category in catalog.values():
            if category.id not in in_scope:
                subjects.append((t("tree.a-other-category", category=category.label),
                                 self.kinds(Request(client, day, item=category.label), active),
                                 frozenset({("item", normal_form(category.label))})))
        unknown = Request(client, day, asset=t("tree.unknown-asset-sample"))
        subjects.append((t("tree.a-unknown-asset"), self.kinds(unknown, active), frozenset({("other-asset",)})))
        unmatched = decide(self.kb, Request(client, day, item=t("tree.unmatched-sample")), self.lang)
        if unmatched.category is None and unmatched.reasons[0][0] == "not-in-perimeter":  # really matched nothing
            subjects.append((t("tree.a-unmatched"), Leaf(unmatched), frozenset({("other-item",)})))
        subjects.append((t("tree.a-unstated"), self.kinds(Request(client, day), active), frozenset({("none",)})))
        # Subjects with the same outcomes share one answer ("PC-0031; PC-0032; Postes de travail").
        grouped: dict[Node, tuple[list[str], set]] = {}
        for label, node, covers in subjects:
            labels, union = grouped.setdefault(node, ([], set()))
            labels.append(label)
            union.update(covers)
        return Question(t("tree.q-subject"), tuple(
            Answer(t("word.list-sep").join(labels), node, ("subject", frozenset(union)))
            for node, (labels, union) in grouped.items()))

    def kinds(self, request: Request, active: tuple[Contract, ...]) -> Node:
        """Step 5: kinds that lead to the same outcome share one answer; none asked when all do."""
        first = self.acquisition(with_kind(request, KIND_ORDER[0]), active)
        if isinstance(first, Leaf) and settled_before_kind(first.decision, active):
            return first
        groups: dict[Node, list[str]] = {first: [KIND_ORDER[0]]}
        for kind in KIND_ORDER[1:]:
            node = self.acquisition(with_kind(request, kind), active)
            groups.setdefault(node, []).append(kind)
        if len(groups) == 1:
            return first
        return Question(self.t("tree.q-kind"), tuple(
            Answer(", ".join(message(self.lang, f"kind.{k}") for k in kinds), node, ("kinds", frozenset(kinds)))
            for node, kinds in groups.items()))

    def acquisition(self, request: Request, active: tuple[Contract, ...]) -> Node:
        """Step 6: when the engine asks for the acquisition date, one answer per span of dates."""
        unknown = self.decide(request)
        if unknown.decision.verdict != "ask" or unknown.decision.reasons[0][0] != "acquisition-date-unknown":
            return unknown
        signed = sorted({c.signed for c in active})
        # Spans of acquisition dates between signatures: (first, last, a date inside); None = unbounded.
        spans = [(None, signed[0], signed[0])]
        spans += [(day_after(a), b, day_after(a)) for a, b in zip(signed, signed[1:])]
        spans.append((day_after(signed[-1]), None, day_after(signed[-1])))
        merged: list[list] = []
        for first, last, sample in spans:
            leaf = self.decide(with_acquired(request, sample))
            if merged and merged[-1][2] == leaf:
                merged[-1][1] = last
            else:
                merged.append([first, last, leaf])
        answers = [Answer(self.acquired_label(first, last), leaf, ("acquired", first, last))
                   for first, last, leaf in merged]
        answers.append(Answer(self.t("tree.a-acquired-unknown"), unknown, ("acquired-unknown",)))
        return Question(self.t("tree.q-acquired"), tuple(answers))

    def acquired_label(self, first: dt.date | None, last: dt.date | None) -> str:
        if first is None:
            return self.t("tree.a-acquired-until", date=last.isoformat())
        if last is None:
            return self.t("tree.a-acquired-after", date=day_before(first).isoformat())
        return self.t("tree.a-acquired-between", start=first.isoformat(), end=last.isoformat())


def build_tree(kb: KnowledgeBase, client: Client, lang: str, today: dt.date) -> Question:
    """The decision tree of `client` for calls from `today` on."""
    return TreeBuilder(kb, client, lang, today).build()
