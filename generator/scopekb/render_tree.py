"""A client's decision tree: the spec's steps, asked about this client's contracts.

The questions are the facts a technician finds out during a call (is a
contract in force, what the request concerns, its kind, when the equipment was
bought); the tree branches only where the answer changes the outcome. Every
leaf is the `Decision` that decide() returns for a request answering the
questions on its path: nothing here judges coverage by itself.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from .decide import Decision, Request, decide
from .model import Client, Contract, normal_form
from .render import KIND_ORDER, SiteContext, render_html

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Leaf:
    decision: Decision


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    answers: tuple[tuple[str, "Leaf | Question"], ...]


Node = Leaf | Question


def periods(client: Client) -> list[tuple[dt.date, dt.date | None, tuple[Contract, ...]]]:
    """The spans of time in which the set of contracts in force stays the same, oldest first."""
    bounds = sorted({c.start for c in client.contracts} | {c.end + ONE_DAY for c in client.contracts if c.end})
    spans = []
    for n, start in enumerate(bounds):
        end = bounds[n + 1] - ONE_DAY if n + 1 < len(bounds) else None
        active = client.in_force(start)
        if active:
            spans.append((start, end, active))
    return spans


class TreeBuilder:
    def __init__(self, site: SiteContext, client: Client):
        self.site, self.client, self.t = site, client, site.t

    def decide(self, request: Request) -> Leaf:
        return Leaf(decide(self.site.kb, request, self.site.lang))

    def build(self) -> Question:
        """Step 2 first (step 1 is settled: the caller's company is this client)."""
        t, today = self.t, self.site.today
        answers = []
        for start, end, active in periods(self.client):
            if end is not None and end < today:
                continue  # a call is about today or later; past spans would only mislead
            period = self.site.t("period.from-to", start=start.isoformat(), end=end.isoformat()) if end else \
                self.site.t("period.from", start=start.isoformat())
            label = t("tree.a-in-force", period=period, contracts=", ".join(c.id for c in active))
            answers.append((label, self.subject(max(start, today), active)))
        before_all = min(c.start for c in self.client.contracts) - ONE_DAY
        answers.append((t("tree.a-not-in-force"), self.decide(Request(self.client.slug, before_all))))
        return Question(t("tree.q-in-force"), tuple(answers))

    def subject(self, day: dt.date, active: tuple[Contract, ...]) -> Question:
        """Step 3: each asset, each scope entry, each other category, and what matches nothing."""
        t, catalog = self.t, self.site.kb.provider.catalog
        base = Request(self.client.slug, day)
        answers: list[tuple[str, Node]] = []
        seen: set[str] = set()
        for contract in active:
            for asset in contract.equipment:
                if asset.id.casefold() not in seen:
                    seen.add(asset.id.casefold())
                    label = " — ".join(x for x in (t("tree.a-asset", id=asset.id), asset.model,
                                                    catalog[asset.category].label) if x)
                    answers.append((label, self.kinds(dataclasses.replace(base, asset=asset.id), active)))
        in_scope: set[str] = set()
        for contract in active:
            for entry in contract.scope:
                in_scope.add(entry.category)
                label = catalog[entry.category].label
                sample = entry.items[0] if entry.items else label
                if normal_form(sample) in seen:
                    continue
                seen.add(normal_form(sample))
                if entry.items:
                    label = t("tree.a-entry-items", category=label, items=", ".join(entry.items))
                if len(active) > 1:
                    label = f"{label} ({contract.id})"
                answers.append((label, self.kinds(dataclasses.replace(base, item=sample), active)))
        for category in catalog.values():
            if category.id not in in_scope:
                answers.append((t("tree.a-other-category", category=category.label),
                                self.kinds(dataclasses.replace(base, item=category.label), active)))
        unknown = dataclasses.replace(base, asset=t("tree.unknown-asset-sample"))
        answers.append((t("tree.a-unknown-asset"), self.kinds(unknown, active)))
        unmatched = dataclasses.replace(base, item=t("tree.unmatched-sample"))
        probe = decide(self.site.kb, unmatched, self.site.lang)
        if probe.category is None and probe.reasons[0][0] == "not-in-perimeter":  # really matched nothing
            answers.append((t("tree.a-unmatched"), self.kinds(unmatched, active)))
        answers.append((t("tree.a-unstated"), self.kinds(base, active)))
        return Question(t("tree.q-subject"), tuple(answers))

    def kinds(self, request: Request, active: tuple[Contract, ...]) -> Question:
        """Step 5: kinds that lead to the same outcome share one answer."""
        groups: dict[Node, list[str]] = {}
        for kind in KIND_ORDER:
            node = self.acquisition(dataclasses.replace(request, kind=kind), active)
            groups.setdefault(node, []).append(kind)
        if len(groups) == 1:
            return Question(self.t("tree.q-kind"), ((self.t("tree.any-kind"), next(iter(groups))),))
        return Question(self.t("tree.q-kind"), tuple(
            (", ".join(self.site.say(f"kind.{k}") for k in kinds), node) for node, kinds in groups.items()))

    def acquisition(self, request: Request, active: tuple[Contract, ...]) -> Node:
        """Step 6: when the engine asks for the acquisition date, one answer per span of dates."""
        unknown = self.decide(request)
        if unknown.decision.verdict != "ask" or unknown.decision.reasons[0][0] != "acquisition-date-unknown":
            return unknown
        signed = sorted({c.signed for c in active})
        # Spans of acquisition dates between signatures: (first, last, a date inside); None = unbounded.
        spans = [(None, signed[0], signed[0])]
        spans += [(a + ONE_DAY, b, a + ONE_DAY) for a, b in zip(signed, signed[1:])]
        spans.append((signed[-1] + ONE_DAY, None, signed[-1] + ONE_DAY))
        merged: list[list] = []
        for first, last, sample in spans:
            leaf = self.decide(dataclasses.replace(request, acquired=sample))
            if merged and merged[-1][2] == leaf:
                merged[-1][1] = last
            else:
                merged.append([first, last, leaf])
        answers = [(self.acquired_label(first, last), leaf) for first, last, leaf in merged]
        answers.append((self.t("tree.a-acquired-unknown"), unknown))
        return Question(self.t("tree.q-acquired"), tuple(answers))

    def acquired_label(self, first: dt.date | None, last: dt.date | None) -> str:
        if first is None:
            return self.t("tree.a-acquired-until", date=last.isoformat())
        if last is None:
            return self.t("tree.a-acquired-after", date=(first - ONE_DAY).isoformat())
        return self.t("tree.a-acquired-between", start=first.isoformat(), end=last.isoformat())


def build_tree(site: SiteContext, client: Client) -> Question:
    return TreeBuilder(site, client).build()


def render_tree_page(site: SiteContext, client: Client) -> str:
    """The standalone HTML page of a client's decision tree (clients/<slug>/arbre/index.html)."""
    root = "../../../"
    return render_html(
        "tree.html.j2", t=site.t, lang=site.lang, client=client, tree=build_tree(site, client),
        date=site.today.isoformat(), say=site.say, team=site.team, root=root,
        home_url=root + ("" if site.directory_urls else "index.html"),
        client_url=site.client_url(client.slug, from_depth=3),
        call_url=root + ("accueil-appel/" if site.directory_urls else "accueil-appel.html"),
        colon=site.colon, tree_id=Markup("scopekb-tree"))
