"""Grouping quality on the labeled set: pairwise precision and recall against hand-given labels.

tests/data/tickets/labeled/labeled.glpi.csv holds 362 tickets (GLPI CSV,
French labels): paraphrases of 28 malfunctions and 42 one-off problems;
labeled.labels.csv says which malfunction each ticket is ("none" for the
one-offs). Two tickets are a pair when they are in the same scenario
(predicted) or have the same malfunction label (true); one-offs make no true
pair. Only the tickets that reach mining count: solved or closed, with a
catalogue category.
"""
from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from scopekb.kb.load import load_knowledge_base
from scopekb.tickets import MiningSettings, Ticket, mine_tickets, read_export
from scopekb.tickets.mapping import TicketMapper

REPO = Path(__file__).resolve().parents[1]
LABELED = REPO / "tests" / "data" / "tickets" / "labeled"
# GLPI's "Comptes utilisateurs" (password resets, locked accounts) names no catalogue keyword: the
# provider maps it, as provider.yaml's ticket_categories would.
OVERRIDES = {"Comptes utilisateurs": "workstations"}


@pytest.fixture(scope="module")
def labeled():
    kb = load_knowledge_base(REPO, use_cache=False)
    _, items = read_export(LABELED / "labeled.glpi.csv")
    tickets = [t for t in items if isinstance(t, Ticket)]
    with open(LABELED / "labeled.labels.csv", encoding="utf-8") as fh:
        labels = {row["id"]: row["label"] for row in csv.DictReader(fh)}
    return kb, tickets, labels


def pairwise(scenario_members: list[tuple[str, ...]], mined: list[str], labels: dict[str, str]):
    predicted = {pair for members in scenario_members for pair in itertools.combinations(sorted(members), 2)}
    true = {(a, b) for a, b in itertools.combinations(sorted(mined), 2)
            if labels[a] != "none" and labels[a] == labels[b]}
    hits = len(predicted & true)
    return hits / len(predicted), hits / len(true)


def mined_ids(kb, tickets) -> list[str]:
    mapper = TicketMapper(kb, OVERRIDES)
    return [t.id for t in tickets if t.status in ("solved", "closed") and mapper.map(t).category]


@pytest.mark.parametrize("settings, name", [
    (MiningSettings(), "every category clustered whole"),
    (MiningSettings(exact_limit=40, sample_size=30), "categories sampled as large exports are"),
])
def test_grouping_precision_and_recall(labeled, settings, name):
    kb, tickets, labels = labeled
    result = mine_tickets(tickets, kb, overrides=OVERRIDES, settings=settings)
    assert len(labels) == len(tickets) == 362
    mined = mined_ids(kb, tickets)
    precision, recall = pairwise([s.tickets for s in result.scenarios], mined, labels)
    print(f"\n{name}: {len(mined)} tickets mined, {len(result.scenarios)} scenarios, "
          f"pairwise precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.9
    assert recall >= 0.8


def test_the_labeled_set_is_what_make_labeled_writes(labeled, tmp_path, monkeypatch):
    """The committed CSV is the script's output: the paraphrases are the banks', not edited by hand."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_labeled", LABELED / "make_labeled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    assert (tmp_path / "labeled.glpi.csv").read_bytes() == (LABELED / "labeled.glpi.csv").read_bytes()
    assert (tmp_path / "labeled.labels.csv").read_bytes() == (LABELED / "labeled.labels.csv").read_bytes()
