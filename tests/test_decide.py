"""The verdict, step by step, as spec/coverage.md states it.

Every test builds a small knowledge base from YAML (see kb_builder.PROVIDER for
the catalogue and teams) and asks for the `--json` object of one request.
"""
from __future__ import annotations

import datetime as dt

import pytest

from kb_builder import ALPHA, PROVIDER, assert_verdict, build_kb, check, codes, hardware_contract

# Teams of kb_builder.PROVIDER: defaults.escalation is `boss`, defaults.installation is `onsite`.

@pytest.fixture
def alpha(tmp_path):
    return build_kb(tmp_path, ALPHA)


# --- Step 1: no contract names this client -----------------------------------------------

def test_unknown_client_is_no_contract_for_the_escalation_team(alpha):
    result = check(alpha, "Société Inconnue", item="excel")
    assert_verdict(result, "no-contract", "boss", "no-contract", contract=None, category=None)
    assert result["client"] == "societe-inconnue"  # the slug CLIENT would have


def test_a_partial_name_asks_which_client_it_means(alpha):
    assert check(alpha, "Alpha", item="excel")["verdict"] == "ask"  # spec version 2: test_client_names.py


# --- Step 2: no contract in force on the date ------------------------------------------------

EXPIRED = """\
    id: CTR-7
    client: {name: Gamma}
    signed: 2023-01-01
    start: 2023-02-01
    end: 2024-12-31
    services: [incident]
    scope: [{category: office, level: n1}]
    out_of_scope: {escalate_to: sales}
"""


def test_expired_contract_gives_contract_inactive_to_the_default_escalation_team(tmp_path):
    kb = build_kb(tmp_path, EXPIRED)
    # no-contract always goes to defaults.escalation, never the contract's escalate_to
    result = check(kb, "Gamma", item="excel")
    assert_verdict(result, "no-contract", "boss", "contract-inactive", contract=None)
    assert result["client"] == "gamma"


@pytest.mark.parametrize("day, in_force", [
    ("2023-01-31", False),  # signed, but not started yet
    ("2023-02-01", True),  # start is inclusive
    ("2024-12-31", True),  # end is inclusive
    ("2025-01-01", False),
])
def test_start_and_end_are_inclusive(tmp_path, day, in_force):
    kb = build_kb(tmp_path, EXPIRED)
    result = check(kb, "Gamma", item="excel", date=dt.date.fromisoformat(day))
    if in_force:
        assert_verdict(result, "handle", "helpdesk", "in-scope", contract="CTR-7")
    else:
        assert_verdict(result, "no-contract", "boss", "contract-inactive")


@pytest.mark.parametrize("day, verdict", [("2025-01-09", "no-contract"), ("2025-01-10", "handle"),
                                          ("2099-12-31", "handle")])
def test_start_defaults_to_signed_and_no_end_is_open_ended(alpha, day, verdict):
    assert check(alpha, "Alpha Conseil", item="excel", date=dt.date.fromisoformat(day))["verdict"] == verdict


# --- Step 3: what the request is about ---------------------------------------------------------

def test_no_subject_asks_what_the_request_concerns(alpha):
    for request in ({}, {"item": ""}, {"item": "   "}):
        result = check(alpha, "Alpha Conseil", **request)
        assert_verdict(result, "ask", None, "subject-unknown", contract="CTR-1", category=None)
        assert any(result["question"] in action for action in result["actions"])


def test_unknown_asset_is_out_of_scope(alpha):
    result = check(alpha, "Alpha Conseil", asset="PRN-9999")
    assert_verdict(result, "out-of-scope", "boss", "asset-unknown", contract="CTR-1", category=None)


def test_asset_id_is_compared_ignoring_case(alpha):
    result = check(alpha, "Alpha Conseil", asset="prn-0042")
    assert_verdict(result, "handle", "helpdesk", "in-scope", category="printers")


def test_text_matching_nothing_is_not_in_perimeter(alpha):
    result = check(alpha, "Alpha Conseil", item="coffee machine")
    assert_verdict(result, "out-of-scope", "boss", "not-in-perimeter", contract="CTR-1", category=None)


def test_only_the_equipment_of_contracts_in_force_is_looked_up(tmp_path):
    old = """\
        id: CTR-1
        client: {name: Delta}
        signed: 2020-01-01
        end: 2024-12-31
        services: [incident]
        scope: [{category: printers, level: n1}]
        equipment: {items: [{id: OLD-1, category: printers, model: Kyocera Old}]}
    """
    new = """\
        id: CTR-2
        client: {name: Delta}
        signed: 2025-01-01
        services: [incident]
        scope: [{category: printers, level: n1}]
    """
    kb = build_kb(tmp_path, old, new)
    assert_verdict(check(kb, "Delta", asset="OLD-1"), "out-of-scope", "boss", "asset-unknown", contract="CTR-2")
    # an expired contract's models and items are no candidates either
    assert_verdict(check(kb, "Delta", item="kyocera old"), "out-of-scope", "boss", "not-in-perimeter")


def test_step_3_reports_the_first_contract_in_force_and_its_escalation_team(tmp_path):
    first = """\
        id: CTR-1
        client: {name: Epsilon}
        signed: 2025-01-01
        services: [incident]
        scope: [{category: network, level: n1}]
        out_of_scope: {escalate_to: sales}
    """
    second = """\
        id: CTR-2
        client: {name: Epsilon}
        signed: 2025-01-01
        services: [incident]
        scope: [{category: office, level: n1}]
    """
    kb = build_kb(tmp_path, second, first)  # file order is not id order
    assert_verdict(check(kb, "Epsilon", asset="X-1"), "out-of-scope", "sales", "asset-unknown", contract="CTR-1")
    assert_verdict(check(kb, "Epsilon", item="fax"), "out-of-scope", "sales", "not-in-perimeter",
                   contract="CTR-1")
    assert_verdict(check(kb, "Epsilon"), "ask", None, "subject-unknown", contract="CTR-1")
    # once CTR-1 is no longer in force, CTR-2 is the first and its team is the default one
    kb2 = build_kb(tmp_path, second, first.replace("signed: 2025-01-01\n", "signed: 2025-01-01\n        end: 2025-03-01\n"))
    assert_verdict(check(kb2, "Epsilon", asset="X-1"), "out-of-scope", "boss", "asset-unknown", contract="CTR-2")


# --- Step 4: the category must be in this contract's scope ------------------------------------

def test_category_outside_the_scope_is_not_in_perimeter(alpha):
    result = check(alpha, "Alpha Conseil", item="the router is down")
    assert_verdict(result, "out-of-scope", "boss", "not-in-perimeter", contract="CTR-1", category="network")


def test_not_in_perimeter_comes_before_service_not_covered(alpha):
    result = check(alpha, "Alpha Conseil", kind="change", item="wifi")
    assert codes(result) == ["not-in-perimeter"]


SPLIT_ENTRIES = """\
    id: CTR-1
    client: {name: Zeta}
    signed: 2025-01-01
    services: [incident]
    scope:
      - {category: servers, level: n1, items: [Print server]}
      - {category: servers, level: n2, team: n2-sys, items: [Mail server]}
      - {category: servers, level: n2, team: n2-apps, items: [ERP server]}
"""


@pytest.mark.parametrize("text, verdict, team", [
    ("the mail server is down", "route", "n2-sys"),  # the entry whose item matched counts
    ("ERP server: disk full", "route", "n2-apps"),
    ("print server", "handle", "helpdesk"),
    ("a server is down", "handle", "helpdesk"),  # no item matched: the first entry
])
def test_of_several_entries_with_the_category_the_matched_one_counts_else_the_first(tmp_path, text, verdict, team):
    kb = build_kb(tmp_path, SPLIT_ENTRIES)
    assert_verdict(check(kb, "Zeta", item=text), verdict, team, "in-scope", category="servers")


def test_an_item_that_lost_to_a_longer_keyword_picks_no_entry(tmp_path):
    # "file server" (a keyword, 11 characters) beats the item "NAS" (3): step 3 matched
    # no scope item, so of the two servers entries the first counts.
    kb = build_kb(tmp_path, SPLIT_ENTRIES.replace("items: [Mail server]", "items: [Mail server, NAS]"))
    assert_verdict(check(kb, "Zeta", item="NAS file server down"), "handle", "helpdesk", "in-scope",
                   category="servers")
    assert_verdict(check(kb, "Zeta", item="NAS down"), "route", "n2-sys", "in-scope", category="servers")


# --- Step 5: the kind must be in services -------------------------------------------------------

def test_kind_not_in_services_is_service_not_covered(alpha):
    result = check(alpha, "Alpha Conseil", kind="change", item="excel")
    assert_verdict(result, "out-of-scope", "boss", "service-not-covered", contract="CTR-1", category="office")


def test_service_not_covered_comes_before_the_hardware_rule(tmp_path):
    listed_only = ALPHA.replace("    equipment:\n", "    equipment:\n      policy: listed\n")
    kb = build_kb(tmp_path, listed_only)
    assert codes(check(kb, "Alpha Conseil", kind="change", item="printer")) == ["service-not-covered"]
    assert codes(check(kb, "Alpha Conseil", kind="incident", item="printer")) == ["not-listed"]


# --- Step 6: the hardware rule ----------------------------------------------------------------

def test_policy_all_is_the_default_and_covers_any_hardware(tmp_path):
    for policy in (None, "all"):
        kb = build_kb(tmp_path, hardware_contract(policy))
        assert_verdict(check(kb, "Eta Menuiserie", item="imprimante"), "handle", "helpdesk", "in-scope",
                       category="printers")


def test_policy_listed_needs_an_asset_of_the_contract(tmp_path):
    kb = build_kb(tmp_path, hardware_contract("listed"))
    assert_verdict(check(kb, "Eta Menuiserie", item="imprimante"), "out-of-scope", "sales", "not-listed",
                   contract="CTR-5", category="printers")
    assert_verdict(check(kb, "Eta Menuiserie", asset="PRN-1"), "handle", "helpdesk", "in-scope")
    # naming the asset's model names the asset
    assert_verdict(check(kb, "Eta Menuiserie", item="la Brother HL-L5100DN bourre"), "handle", "helpdesk",
                   "in-scope")


def test_policy_listed_applies_whatever_the_kind_of_request(tmp_path):
    kb = build_kb(tmp_path, hardware_contract("listed"))
    assert codes(check(kb, "Eta Menuiserie", kind="installation", item="imprimante")) == ["not-listed"]


def test_hardware_policies_do_not_apply_to_other_kinds_of_category(tmp_path):
    for policy in ("listed", "acquired-before-signature"):
        kb = build_kb(tmp_path, hardware_contract(policy))
        assert check(kb, "Eta Menuiserie", item="excel")["verdict"] == "handle"  # software
        assert check(kb, "Eta Menuiserie", item="wifi")["verdict"] == "handle"  # network


def test_acquired_before_signature_without_a_date_asks_for_it(tmp_path):
    kb = build_kb(tmp_path, hardware_contract("acquired-before-signature"))
    result = check(kb, "Eta Menuiserie", item="imprimante")
    assert_verdict(result, "ask", None, "acquisition-date-unknown", contract="CTR-5", category="printers")
    subject_question = check(kb, "Eta Menuiserie")["question"]
    assert result["question"] != subject_question
    # an asset without a date: still unknown
    assert codes(check(kb, "Eta Menuiserie", asset="PRN-1")) == ["acquisition-date-unknown"]


@pytest.mark.parametrize("acquired, verdict, code", [
    ("2024-12-01", "handle", "in-scope"),
    ("2025-03-15", "handle", "in-scope"),  # acquired on the day of signature: before, so covered
    ("2025-03-16", "out-of-scope", "acquired-after-signature"),
])
def test_acquired_option_against_the_signature(tmp_path, acquired, verdict, code):
    kb = build_kb(tmp_path, hardware_contract("acquired-before-signature"))
    result = check(kb, "Eta Menuiserie", item="imprimante laser", acquired=dt.date.fromisoformat(acquired))
    assert_verdict(result, verdict, "helpdesk" if verdict == "handle" else "sales", code, category="printers")


@pytest.mark.parametrize("own, option, verdict", [
    ("2026-02-10", None, "out-of-scope"),  # listing an asset does not cover it when bought after
    ("2026-02-10", "2020-01-01", "out-of-scope"),  # the asset's own date beats --acquired
    ("2020-01-01", "2026-02-10", "handle"),
    (None, "2020-01-01", "handle"),  # the asset has no date: --acquired is used
    (None, "2026-02-10", "out-of-scope"),
])
def test_the_assets_own_date_beats_acquired(tmp_path, own, option, verdict):
    kb = build_kb(tmp_path, hardware_contract("acquired-before-signature", acquired=own))
    acquired = dt.date.fromisoformat(option) if option else None
    for request in ({"asset": "PRN-1"}, {"item": "Brother HL-L5100DN"}):
        result = check(kb, "Eta Menuiserie", acquired=acquired, **request)
        assert result["verdict"] == verdict, (request, result)
        if verdict == "out-of-scope":
            assert_verdict(result, verdict, "sales", "acquired-after-signature")


# --- Step 7: covered ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["incident", "installation", "information", "change"])
def test_level_n2_routes_to_its_team_whatever_the_kind(tmp_path, kind):
    kb = build_kb(tmp_path, ALPHA.replace("[incident, installation, information]",
                                          "[incident, installation, information, change]")
                   + "    remote_installation: true\n")
    result = check(kb, "Alpha Conseil", kind=kind, item="file server")
    assert_verdict(result, "route", "n2-sys", "in-scope", contract="CTR-1", category="servers")
    assert any("N2 Systems" in action for action in result["actions"])


@pytest.mark.parametrize("remote, verdict, team", [
    ("remote_installation: true\n", "handle", "helpdesk"),
    ("remote_installation: false\n", "route", "onsite"),
    ("", "route", "onsite"),  # remote_installation defaults to false
])
def test_n1_installation_is_by_phone_only_when_remote_installation(tmp_path, remote, verdict, team):
    kb = build_kb(tmp_path, ALPHA + (f"    {remote}" if remote else ""))
    for item in ("excel", "imprimante"):  # software or hardware alike
        result = check(kb, "Alpha Conseil", kind="installation", item=item)
        assert_verdict(result, verdict, team, "in-scope", contract="CTR-1")


@pytest.mark.parametrize("kind", ["incident", "information"])
def test_n1_other_kinds_are_handled_by_the_helpdesk(alpha, kind):
    assert_verdict(check(alpha, "Alpha Conseil", kind=kind, item="Excel"), "handle", "helpdesk", "in-scope",
                   contract="CTR-1", category="office")


def test_installation_routes_to_defaults_installation_whichever_team_that_is(tmp_path):
    provider = PROVIDER.replace("installation: onsite", "installation: n2-apps")
    kb = build_kb(tmp_path, ALPHA, provider=provider)
    assert_verdict(check(kb, "Alpha Conseil", kind="installation", item="excel"), "route", "n2-apps", "in-scope")


# --- Teams of out-of-scope and the actions -------------------------------------------------------

def test_out_of_scope_goes_to_escalate_to_else_defaults_escalation(tmp_path):
    with_team = ALPHA.replace("may_propose: [extension]", "escalate_to: sales\n      may_propose: [extension]")
    assert check(build_kb(tmp_path, with_team), "ACO", item="router")["team"] == "sales"
    assert check(build_kb(tmp_path, ALPHA), "ACO", item="router")["team"] == "boss"


def test_out_of_scope_actions_name_the_team_and_offer_what_may_propose_allows(tmp_path):
    def actions(proposals: str) -> list[str]:
        kb = build_kb(tmp_path, ALPHA.replace("may_propose: [extension]", f"may_propose: {proposals}"))
        return check(kb, "ACO", item="router")["actions"]

    one, two = actions("[extension]"), actions("[extension, billed-service]")
    assert any("Support Manager" in action for action in one)
    assert len(two) == len(one) + 1
    assert set(one) < set(two)


def test_reason_texts_follow_the_language_codes_do_not(alpha):
    french = check(alpha, "ACO", item="router")
    english = check(alpha, "ACO", item="router", lang="en")
    assert codes(french) == codes(english) == ["not-in-perimeter"]
    assert french["reasons"][0]["text"] != english["reasons"][0]["text"]
    assert french["actions"] != english["actions"]


# --- Several contracts --------------------------------------------------------------------------

def contract_for(cid: str, body: str, escalate: str = "") -> str:
    return f"""\
    id: {cid}
    client: {{name: Multi}}
    signed: 2025-01-01
{body}""" + (f"    out_of_scope: {{escalate_to: {escalate}}}\n" if escalate else "")


OUT = "    services: [information]\n    scope: [{category: printers, level: n1}]\n"  # incident not covered
HANDLE = "    services: [incident]\n    scope: [{category: printers, level: n1}]\n"
ROUTE = "    services: [incident]\n    scope: [{category: printers, level: n2, team: n2-sys}]\n"
ASK = HANDLE + "    equipment: {policy: acquired-before-signature}\n"
OUT_OTHER = "    services: [incident]\n    scope: [{category: office, level: n1}]\n"  # not-in-perimeter


@pytest.mark.parametrize("first, second, verdict, contract", [
    (OUT, HANDLE, "handle", "CTR-B"),
    (ROUTE, HANDLE, "route", "CTR-A"),  # the first that gives handle or route
    (HANDLE, ROUTE, "handle", "CTR-A"),
    (ASK, HANDLE, "handle", "CTR-B"),  # handle beats an earlier ask
    (ASK, ROUTE, "route", "CTR-B"),
    (ASK, OUT, "ask", "CTR-A"),
    (OUT, ASK, "ask", "CTR-B"),  # ask beats an earlier out-of-scope
    (ASK, ASK.replace("2025-01-01", "2024-06-01"), "ask", "CTR-A"),
])
def test_several_contracts(tmp_path, first, second, verdict, contract):
    # file names in the reverse of id order: the id decides
    kb = build_kb(tmp_path, contract_for("CTR-B", second), contract_for("CTR-A", first), names=["a.yaml", "b.yaml"])
    result = check(kb, "Multi", item="printer")
    assert (result["verdict"], result["contract"]) == (verdict, contract), result


def test_several_contracts_all_out_of_scope_give_the_firsts_reason_and_team(tmp_path):
    kb = build_kb(tmp_path, contract_for("CTR-A", OUT_OTHER, "sales"), contract_for("CTR-B", OUT))
    assert_verdict(check(kb, "Multi", item="printer"), "out-of-scope", "sales", "not-in-perimeter",
                   contract="CTR-A", category="printers")
    kb = build_kb(tmp_path, contract_for("CTR-A", OUT), contract_for("CTR-B", OUT_OTHER, "sales"))
    assert_verdict(check(kb, "Multi", item="printer"), "out-of-scope", "boss", "service-not-covered",
                   contract="CTR-A")


def test_contracts_not_in_force_take_no_part(tmp_path):
    expired_handle = contract_for("CTR-A", HANDLE.replace("services", "end: 2025-02-01\n    services"))
    kb = build_kb(tmp_path, expired_handle, contract_for("CTR-B", OUT, "sales"))
    assert_verdict(check(kb, "Multi", item="printer"), "out-of-scope", "sales", "service-not-covered",
                   contract="CTR-B")


# --- Clients ------------------------------------------------------------------------------------

CLIENT_DUPONT = """\
    id: CTR-D
    client:
      name: Cabinet Dupont & Associés
      aliases: [CDA, Dupont Expertise]
    signed: 2025-01-01
    services: [incident]
    scope: [{category: office, level: n1}]
"""


@pytest.mark.parametrize("name", [
    "Cabinet Dupont & Associés", "cabinet dupont associes", "CABINET  DUPONT -- ASSOCIÉS",
    "cda", "CDA", "dupont-expertise", "DUPONT EXPERTISE", "cabinet-dupont-associes",
])
def test_client_by_name_alias_or_slug_ignoring_case_and_accents(tmp_path, name):
    kb = build_kb(tmp_path, CLIENT_DUPONT)
    result = check(kb, name, item="excel")
    assert (result["verdict"], result["client"]) == ("handle", "cabinet-dupont-associes")


def test_explicit_client_slug(tmp_path):
    coop = CLIENT_DUPONT.replace("name: Cabinet Dupont & Associés", "name: Coopérative du Val\n      slug: coop-val")
    kb = build_kb(tmp_path, coop)
    assert list(kb.clients) == ["coop-val"]
    for name in ("coop-val", "COOP VAL", "Coopérative du Val", "cooperative-du-val"):
        assert check(kb, name, item="excel")["client"] == "coop-val", name
    assert check(kb, "Cabinet Dupont & Associés", item="excel")["verdict"] == "no-contract"


def test_contracts_sharing_a_slug_form_one_client(tmp_path):
    first = """\
        id: CTR-1
        client: {name: Omega Holding, slug: omega}
        signed: 2025-01-01
        services: [incident]
        scope: [{category: printers, level: n2, team: n2-sys}]
    """
    second = """\
        id: CTR-2
        client: {name: Omega Services, slug: omega, aliases: [OMS]}
        signed: 2025-01-01
        services: [incident]
        scope: [{category: office, level: n1}]
    """
    kb = build_kb(tmp_path, second, first)
    assert list(kb.clients) == ["omega"]
    assert [c.id for c in kb.clients["omega"].contracts] == ["CTR-1", "CTR-2"]
    # any name of either contract reaches both contracts
    for name in ("OMS", "Omega Holding", "omega services"):
        assert check(kb, name, item="printer")["team"] == "n2-sys"
        assert check(kb, name, item="excel")["contract"] == "CTR-2"


def test_contracts_with_the_same_name_form_one_client(tmp_path):
    second = CLIENT_DUPONT.replace("CTR-D", "CTR-E").replace("category: office", "category: network")
    kb = build_kb(tmp_path, CLIENT_DUPONT, second)
    assert len(kb.clients) == 1
    assert check(kb, "CDA", item="wifi")["contract"] == "CTR-E"
