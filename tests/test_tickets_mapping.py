"""Mapping tickets to the knowledge base: categories like `check`, overrides, clients exact then may-mean."""
from __future__ import annotations

import pytest

from kb_builder import ALPHA, build_kb
from scopekb.tickets import Ticket, mine_tickets
from scopekb.tickets.mapping import TicketMapper, path_key

BETA = """\
    id: CTR-2
    client: {name: Beta Transports}
    signed: 2025-01-10
    services: [incident]
    scope:
      - {category: network, level: n1}
"""
BETAMAX = """\
    id: CTR-3
    client: {name: Betamax Studio, aliases: [BMX]}
    signed: 2025-01-10
    services: [incident]
    scope:
      - {category: office, level: n1}
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return build_kb(tmp_path_factory.mktemp("kb"), ALPHA, BETA, BETAMAX)


def ticket(title="Souci", category=(), client="", status="closed", ident="1") -> Ticket:
    return Ticket("t.csv", int(ident) + 1, ident, title, client=client, category=category, status=status)


def test_category_by_the_catalogue_most_specific_segment_first(kb):
    mapper = TicketMapper(kb)
    assert mapper.map(ticket(category=("Matériel", "Imprimante laser"))).category == "printers"
    # "Réseau" alone would be network; the last segment names the thing
    assert mapper.category(ticket(category=("Réseau", "Outlook"))) == ("office", "category")
    assert mapper.category(ticket(category=("Réseau", "Divers"))) == ("network", "category")


def test_category_from_the_title_when_the_path_says_nothing(kb):
    mapper = TicketMapper(kb)
    assert mapper.category(ticket("Le PC ne démarre plus", ("Divers",))) == ("workstations", "title")
    assert mapper.category(ticket("Le PC ne démarre plus")) == ("workstations", "title")
    assert TicketMapper(kb, use_title=False).category(ticket("Le PC ne démarre plus")) == (None, "none")
    assert mapper.category(ticket("Question diverse", ("Divers",))) == (None, "none")


def test_overrides_win_and_match_path_prefixes(kb):
    mapper = TicketMapper(kb, {"Comptes utilisateurs": "workstations", "Bureautique > OUTLOOK": "network",
                               "Réseau": "office"})
    assert mapper.category(ticket(category=("Comptes utilisateurs", "Mot de passe"))) == ("workstations", "override")
    assert mapper.category(ticket(category=("bureautique", "Outlook"))) == ("network", "override")
    # a longer key wins over a shorter one; a path no key begins falls back to the catalogue
    assert mapper.category(ticket(category=("Réseau", "Imprimante"))) == ("office", "override")
    assert mapper.category(ticket(category=("Matériel", "Imprimante"))) == ("printers", "category")
    assert path_key("Bureautique >  Outlook") == path_key(("bureautique", "OUTLOOK")) == "bureautique > outlook"


def test_an_override_to_an_unknown_category_is_reported_and_ignored(kb):
    mapper = TicketMapper(kb, {"Matériel > Imprimante": "printing"})
    assert mapper.override_problems() == [
        "contracts/provider.yaml:1: ticket_categories: 'materiel > imprimante' maps to unknown category "
        "'printing' (expected one of network, office, printers, servers, training, workstations)"]
    assert mapper.category(ticket(category=("Matériel", "Imprimante"))) == ("printers", "category")


def test_clients_exact_then_may_mean(kb):
    mapper = TicketMapper(kb)
    assert mapper.client("ACO") == ("alpha-conseil", "name", None)
    assert mapper.client("alpha   CONSEIL") == ("alpha-conseil", "name", None)
    assert mapper.client("Alpha Consiel") == ("alpha-conseil", "may-mean", None)  # one swap away
    assert mapper.client("Transports") == ("beta-transports", "may-mean", None)
    assert mapper.client("Beta") == (None, "none", "ambiguous-client")  # Beta Transports or Betamax Studio
    assert mapper.client("Boulangerie Lemaire") == (None, "none", "unknown-client")
    assert mapper.client("  ") == (None, "none", "no-client")


def test_unmapped_tickets_are_kept_and_counted_by_reason(kb):
    tickets = [
        ticket("Imprimante bloquée", ("Matériel",), "ACO", ident="1"),
        ticket("Imprimante bloquée", ("Matériel",), "Boulangerie Lemaire", ident="2"),
        ticket("Question diverse", ("Divers",), "ACO", ident="3"),
        ticket("Question diverse", ("Divers",), "Beta", ident="4"),
        ticket("Imprimante bloquée", ("Matériel",), "", ident="5"),
        ticket("Imprimante bloquée", ("Matériel",), "ACO", status="other", ident="6"),
    ]
    result = mine_tickets(tickets, kb)
    assert {reason: [(u.where, u.id, u.value) for u in items] for reason, items in result.unmapped.items()} == {
        "unknown-client": [("t.csv:3", "2", "Boulangerie Lemaire")],
        "unknown-category": [("t.csv:4", "3", "Divers"), ("t.csv:5", "4", "Divers")],
        "ambiguous-client": [("t.csv:5", "4", "Beta")],
        "no-client": [("t.csv:6", "5", "")],
    }
    counts = result.counts
    assert (counts["read"], counts["not-resolved"], counts["mined"]) == (6, 1, 3)  # unknown clients still mined
    assert (counts["unknown-client"], counts["unknown-category"], counts["ambiguous-client"],
            counts["no-client"]) == (1, 2, 1, 1)
    [printer] = result.scenarios
    assert printer.clients == ("alpha-conseil",) and printer.unknown_clients == 2


def test_provider_ticket_categories_are_the_default_overrides(tmp_path):
    """provider.yaml's `ticket_categories` is read, checked against the catalogue, and mapped by default."""
    from kb_builder import PROVIDER

    provider = PROVIDER + 'ticket_categories:\n  "Comptes utilisateurs": workstations\n'
    kb = build_kb(tmp_path, ALPHA, provider=provider)
    assert kb.provider.ticket_categories == {"Comptes utilisateurs": "workstations"}
    tickets = [ticket(f"Mot de passe oublié {n}", ("Comptes utilisateurs", "Mot de passe"), "Alpha Conseil",
                      ident=str(n)) for n in range(3)]
    result = mine_tickets(tickets, kb)
    assert result.counts.get("unknown-category", 0) == 0 and result.counts["mined"] == 3
    assert mine_tickets(tickets, kb, overrides={}).counts["unknown-category"] == 3
