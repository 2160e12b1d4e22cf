"""Decision trees (scopekb.render_tree) walked with every request, against decide().

The tree says, per answer, which requests take it; walking it with a request
must reach a leaf that gives what the engine gives for that very request.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from scopekb.site import context
from scopekb.coverage.decide import Request, decide
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import normal_form
from scopekb.coverage.tree import Leaf, Question, build_tree, periods

from kb_builder import DAY, build_kb

REPO = Path(__file__).resolve().parents[1]
KINDS = ("incident", "installation", "information", "change")


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO / "contracts", root / "contracts")
    return load_knowledge_base(root)


def walk(tree: Question, request: Request) -> Leaf | None:
    """The leaf a technician reaches by answering the tree's questions for this request."""
    node = tree
    while isinstance(node, Question):
        for answer in node.answers:
            if takes(answer.covers, request):
                node = answer.node
                break
        else:
            return None
    return node


def takes(covers: tuple, request: Request) -> bool:
    kind = covers[0]
    if kind == "period":
        start, end = covers[1], covers[2]
        return start is None or (start <= request.date and (end is None or request.date <= end))
    if kind == "subject":
        if request.asset is not None:
            return ("asset", request.asset.casefold()) in covers[1] or ("other-asset",) in covers[1]
        if request.item is not None:
            return ("item", normal_form(request.item)) in covers[1] or ("other-item",) in covers[1]
        return ("none",) in covers[1]
    if kind == "kinds":
        return request.kind in covers[1]
    if kind == "acquired":
        first, last = covers[1], covers[2]
        return request.acquired is not None and (first is None or first <= request.acquired) and (
            last is None or request.acquired <= last)
    return kind == "acquired-unknown" and request.acquired is None


# Reasons whose text quotes the request (its date, acquisition date, asset or words): a leaf
# shows them for the sample request that stands for its answer.
QUOTING_REASONS = {"contract-inactive", "acquired-after-signature", "asset-unknown"}


def same_outcome(leaf: Leaf, decision) -> bool:
    shown = leaf.decision
    codes = [c for c, _ in decision.reasons]
    if [c for c, _ in shown.reasons] != codes:
        return False
    quotes = set(codes) & QUOTING_REASONS or (codes == ["not-in-perimeter"] and decision.category is None)
    texts_match = quotes or shown.reasons == decision.reasons
    return bool(texts_match) and (shown.verdict, shown.contract, shown.category, shown.team, shown.actions) == (
        decision.verdict, decision.contract, decision.category, decision.team, decision.actions)


def requests_for(kb, client, today):
    """Every request the tree claims to answer: subjects x kinds x acquisition dates x call dates."""
    dates = [min(c.start for c in client.contracts) - dt.timedelta(days=1)]
    for start, end, _ in periods(client):
        if end is None or end >= today:
            dates += [max(start, today)] + ([end] if end else [])
    acquired = [None] + sorted({d for c in client.contracts
                                for d in (c.signed - dt.timedelta(days=1), c.signed, c.signed + dt.timedelta(days=1))})
    for day in dates:
        # The caller names an asset (any, even one of a contract not in force), an item listed in
        # a contract in force, a category of the catalogue, or nothing.
        subjects = [{"asset": a.id} for c in client.contracts for a in c.equipment]
        subjects += [{"item": i} for c in client.in_force(day) for e in c.scope for i in e.items]
        subjects += [{"item": cat.label} for cat in kb.provider.catalog.values()]
        subjects += [{}, {"asset": "NOT-AN-ASSET"}]
        for subject in subjects:
            for kind in KINDS:
                for when in acquired:
                    yield Request(client.slug, day, kind=kind, acquired=when, **subject)


def check_tree_agrees_with_decide(kb, today, lang="fr"):
    site = context.SiteContext(kb, lang, today, True)
    walked = 0
    for client in kb.clients.values():
        tree = build_tree(site.kb, client, site.lang, site.today)
        for request in requests_for(kb, client, today):
            leaf = walk(tree, request)
            decision = decide(kb, request, lang)
            assert leaf is not None, (client.slug, request)
            assert same_outcome(leaf, decision), (client.slug, request, leaf.decision, decision)
            walked += 1
    return walked


def test_example_trees_give_the_engine_verdict_for_every_request(example):
    assert check_tree_agrees_with_decide(example, dt.date(2026, 11, 26)) > 5000


def test_trees_of_several_overlapping_contracts(tmp_path):
    kb = build_kb(tmp_path, """\
        id: M-1
        client: {name: Multi, aliases: [MU]}
        signed: 2024-01-10
        end: 2025-12-31
        services: [incident]
        scope:
          - {category: printers, level: n1}
          - {category: office, level: n1, items: [Word, Excel]}
        equipment:
          policy: acquired-before-signature
          items: [{id: PRN-1, category: printers, model: HP LaserJet}]
        """, """\
        id: M-2
        client: {name: Multi}
        signed: 2025-03-01
        start: 2025-04-01
        services: [incident, installation]
        remote_installation: true
        scope:
          - {category: printers, level: n2, team: n2-sys}
          - {category: servers, level: n1}
        equipment:
          policy: acquired-before-signature
          items: [{id: SRV-1, category: servers, acquired: 2025-03-05}]
        out_of_scope: {may_propose: [billed-service]}
        """)
    site = context.SiteContext(kb, "fr", DAY, True)
    tree = build_tree(site.kb, kb.clients["multi"], site.lang, site.today)
    assert [a.covers[1:] for a in tree.answers] == [(dt.date(2025, 4, 1), dt.date(2025, 12, 31)),
                                                    (dt.date(2026, 1, 1), None), (None, None)]
    assert check_tree_agrees_with_decide(kb, DAY) > 1000
    assert check_tree_agrees_with_decide(kb, DAY, "en") > 1000


def test_seed_cases_in_the_trees(example):
    """Software installation: covered (by phone here); printer bought after signing: out of scope."""
    today = dt.date(2026, 11, 26)
    site = context.SiteContext(example, "fr", today, True)
    marchand = build_tree(site.kb, example.clients["editions-marchand-cie"], site.lang, site.today)
    leaf = walk(marchand, Request("editions-marchand-cie", today, kind="installation", item="Word"))
    assert (leaf.decision.verdict, leaf.decision.team) == ("handle", "helpdesk")
    berard = build_tree(site.kb, example.clients["menuiserie-berard-fils"], site.lang, site.today)
    leaf = walk(berard, Request("menuiserie-berard-fils", today, asset="PRN-0107"))
    assert (leaf.decision.verdict, leaf.decision.reasons[0][0], leaf.decision.team) == (
        "out-of-scope", "acquired-after-signature", "management")


