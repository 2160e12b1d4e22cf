"""Matching a request's text, as spec/coverage.md states it: the normal form, whole words,
the longest match and its tie order (scope items, equipment models, catalogue labels, keywords).
"""
from __future__ import annotations

import pytest

from kb_builder import ALPHA, assert_verdict, build_kb, check, codes, hardware_contract
from scopekb.kb.model import normal_form, slugify


@pytest.fixture
def alpha(tmp_path):
    return build_kb(tmp_path, ALPHA)


# --- Normal form and matching ------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("l'imprimante Laser-Jet", "l imprimante laser jet"),
    ("ÉCRAN Réseau", "ecran reseau"),
    ("  Word -- 2019!! ", "word 2019"),
    ("a_b.c/d", "a b c d"),
    ("Çà et là", "ca et la"),
    ("e\u0301te\u0301", "ete"),  # combining accents, already decomposed
    ("x\u20d7y", "xy"),  # a combining mark outside the Latin accents is stripped too
    ("Straße", "stra e"),  # ß is a letter, not an accent: not a-z, so a space
    ("Ωmega 3", "mega 3"),
    ("", ""),
])
def test_normal_form(text, expected):
    assert normal_form(text) == expected


def test_slug_is_the_normal_form_with_dashes():
    assert slugify("Cabinet Dupont & Associés") == "cabinet-dupont-associes"


@pytest.mark.parametrize("text", ["L'IMPRIMANTE en panne", "l’imprimante!!!", "IMPRIMANTE", "Imprimante-laser"])
def test_matching_ignores_case_accents_and_punctuation(alpha, text):
    assert check(alpha, "ACO", item=text)["category"] == "printers"


def test_accents_in_keywords_are_ignored_too(alpha):
    assert check(alpha, "ACO", item="RESEAU coupé")["category"] == "network"


@pytest.mark.parametrize("text, category", [
    ("my pc is slow", "workstations"),
    ("PC.", "workstations"),
    ("pc-portable", "workstations"),
    ("pcx", None),  # a keyword matches whole words only
    ("apc ups", None),
    ("wordpad", None),
])
def test_whole_word_matching(tmp_path, text, category):
    kb = build_kb(tmp_path, ALPHA.replace("- {category: printers, level: n1}",
                                          "- {category: printers, level: n1}\n      - {category: workstations, level: n1}"))
    result = check(kb, "ACO", item=text)
    assert result["category"] == category
    if category is None:
        assert codes(result) == ["not-in-perimeter"]


# A catalogue made to test ties: labels and keywords cross over.
TIE_PROVIDER = """\
provider: {name: Tie Services}
teams:
  helpdesk: {name: Helpdesk}
  boss: {name: Boss}
defaults: {escalation: boss, installation: helpdesk}
catalog:
  alpha:
    label: Gamma Delta
    kind: software
    keywords: [omega, x y z, shared]
  beta:
    label: Omega
    kind: software
    keywords: [gamma delta, lengthy, shared]
"""


def tie_contract(cid="CTR-1", scope="[{category: alpha, level: n1}, {category: beta, level: n1}]", extra=""):
    return f"""\
    id: {cid}
    client: {{name: Tie}}
    signed: 2025-01-01
    services: [incident]
    scope: {scope}
{extra}"""


def tie_category(tmp_path, text: str, *contracts: str, provider: str = TIE_PROVIDER) -> str | None:
    kb = build_kb(tmp_path, *(contracts or (tie_contract(),)), provider=provider)
    return check(kb, "Tie", item=text)["category"]


def test_longest_match_in_characters_wins(tmp_path):
    assert tie_category(tmp_path, "x y z lengthy") == "beta"  # 7 characters beat 'x y z' (5), 3 words or not
    # 'gamma delta' (11 characters) beats 'omega' (5) wherever it stands in the text
    assert tie_category(tmp_path, "gamma delta omega") == "alpha"
    assert tie_category(tmp_path, "omega gamma delta") == "alpha"


def test_words_must_be_consecutive_and_in_order(tmp_path):
    assert tie_category(tmp_path, "delta gamma") is None
    assert tie_category(tmp_path, "gamma and delta") is None


def test_tie_label_before_keyword(tmp_path):
    assert tie_category(tmp_path, "omega") == "beta"  # beta's label vs alpha's keyword
    assert tie_category(tmp_path, "gamma delta") == "alpha"  # alpha's label vs beta's keyword


def test_tie_keywords_and_labels_in_catalogue_order(tmp_path):
    assert tie_category(tmp_path, "shared") == "alpha"
    reordered = """\
provider: {name: Tie Services}
teams:
  helpdesk: {name: Helpdesk}
  boss: {name: Boss}
defaults: {escalation: boss, installation: helpdesk}
catalog:
  beta:
    label: Omega
    kind: software
    keywords: [gamma delta, lengthy, shared]
  alpha:
    label: Gamma Delta
    kind: software
    keywords: [omega, x y z, shared]
"""
    assert tie_category(tmp_path, "shared", provider=reordered) == "beta"
    same_labels = reordered.replace("label: Gamma Delta", "label: Omega")
    assert tie_category(tmp_path, "omega", provider=same_labels) == "beta"
    assert tie_category(tmp_path, "omega", provider=same_labels.replace("  beta:\n    label: Omega",
                                                                           "  beta:\n    label: Other")) == "alpha"


def test_tie_equipment_model_before_catalogue_label(tmp_path):
    with_model = tie_contract(extra="    equipment:\n      items: [{id: A-1, category: alpha, model: Omega}]\n")
    assert tie_category(tmp_path, "omega", with_model) == "alpha"  # beta's label loses to the model
    # a longer label still beats the model
    assert tie_category(tmp_path, "omega", tie_contract()) == "beta"


def test_tie_scope_item_before_equipment_model(tmp_path):
    contract = tie_contract(
        scope="[{category: alpha, level: n1}, {category: beta, level: n1, items: [Sigma 9]}]",
        extra="    equipment:\n      items: [{id: A-1, category: alpha, model: Sigma 9}]\n")
    assert tie_category(tmp_path, "the sigma 9 is broken", contract) == "beta"
    longer_model = contract.replace("model: Sigma 9", "model: Sigma 9 Pro")
    assert tie_category(tmp_path, "the sigma 9 pro is broken", longer_model) == "alpha"


def test_tie_scope_items_in_file_order(tmp_path):
    first_alpha = "[{category: alpha, level: n1, items: [Thing]}, {category: beta, level: n1, items: [Thing]}]"
    first_beta = "[{category: beta, level: n1, items: [Other, Thing]}, {category: alpha, level: n1, items: [Thing]}]"
    assert tie_category(tmp_path, "thing", tie_contract(scope=first_alpha)) == "alpha"
    assert tie_category(tmp_path, "thing", tie_contract(scope=first_beta)) == "beta"


def test_tie_between_contracts_goes_to_the_first_by_id_as_plain_strings(tmp_path):
    # 'CTR-10' sorts before 'CTR-9' as a plain string
    ten = tie_contract("CTR-10", scope="[{category: alpha, level: n1, items: [Thing]}, {category: beta, level: n1}]")
    nine = tie_contract("CTR-9", scope="[{category: beta, level: n1, items: [Thing]}, {category: alpha, level: n1}]")
    kb = build_kb(tmp_path, nine, ten, provider=TIE_PROVIDER, names=["a.yaml", "b.yaml"])
    result = check(kb, "Tie", item="thing")
    assert (result["category"], result["contract"]) == ("alpha", "CTR-10")
    assert [c.id for c in kb.clients["tie"].contracts] == ["CTR-10", "CTR-9"]


def test_tie_equipment_models_between_contracts_in_id_order(tmp_path):
    models = "    equipment:\n      items: [{{id: {aid}, category: {cat}, model: Widget}}]\n"
    one = tie_contract("CTR-1", extra=models.format(aid="W-1", cat="beta"))
    two = tie_contract("CTR-2", extra=models.format(aid="W-2", cat="alpha"))
    assert tie_category(tmp_path, "widget", two, one) == "beta"


def test_a_matched_model_stands_for_its_asset(tmp_path):
    kb = build_kb(tmp_path, hardware_contract("acquired-before-signature", acquired="2026-02-10"))
    result = check(kb, "Eta Menuiserie", item="brother hl l5100dn")
    assert_verdict(result, "out-of-scope", "sales", "acquired-after-signature", category="printers")


# --- the first-word index gives what a plain scan gives ----------------------------------------

from hypothesis import given, strategies as st  # noqa: E402

from scopekb.coverage.match import Candidate, Matcher, contains_words

WORDS = st.sampled_from(["pc", "imprimante", "laser", "hp", "word", "serveur", "de", "fichiers"])


def scan(pool, text_words):
    best = None
    for cand in pool:
        if (best is None or cand.length > best.length) and contains_words(text_words, cand.words):
            best = cand
    return best


@given(st.lists(st.lists(WORDS, min_size=1, max_size=3), max_size=25), st.lists(WORDS, min_size=1, max_size=8))
def test_the_indexed_matcher_agrees_with_a_scan_in_tie_order(phrases, text):
    pool = [Candidate(tuple(p), len(" ".join(p)), f"cat-{n}") for n, p in enumerate(phrases)]
    assert Matcher(pool).best(tuple(text)) is scan(pool, tuple(text))
