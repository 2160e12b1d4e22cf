"""Step 1 of the verdict, version 2: a client not named exactly (spec, "A client not named exactly").

When CLIENT names no client, the clients it *may mean* turn the verdict into
`ask` (reason `client-uncertain`) with their list; only a CLIENT that may mean
nobody gets `no-contract`.
"""
from __future__ import annotations

import subprocess

import pytest

from kb_builder import build_kb, check, codes, write_kb
from scopekb.kb.model import normal_form
from scopekb.coverage.match import one_edit, word_edits


def contract(cid: str, name: str, aliases: tuple[str, ...] = (), slug: str | None = None) -> str:
    slug_line = f", slug: {slug}" if slug else ""
    return f"""\
        id: {cid}
        client: {{name: "{name}", aliases: [{", ".join(f'"{a}"' for a in aliases)}]{slug_line}}}
        signed: 2025-01-01
        services: [incident]
        scope: [{{category: office, level: n1}}]
    """


@pytest.fixture
def kb(tmp_path):
    return build_kb(tmp_path,
                    contract("CTR-1", "Boulangerie Petit", ("BP",)),
                    contract("CTR-2", "Menuiserie Bérard & Fils", ("MBF",)),
                    contract("CTR-3", "Cabinet Dupont & Associés"),
                    contract("CTR-4", "Dupond Transports", slug="transports-dd"),
                    contract("CTR-5", "Boulangerie Martin"))


def candidates(result: dict) -> list[str]:
    return [c["client"] for c in result["candidates"]]


@pytest.mark.parametrize("word, other, edits", [
    ("dup", "dupont", 0),  # a beginning needs no edit, whatever its length
    ("dupont", "dupont", 0),
    ("boulangrie", "boulangerie", 1),  # inserted
    ("boulangeriie", "boulangerie", 1),  # deleted
    ("berrard", "berard", 1),
    ("bexard", "berard", 1),  # replaced
    ("bearrd", "berard", 1),  # two adjacent characters swapped
    ("dupnot", "dupont", 1),
    ("dpu", "dup", None),  # under 4 characters: beginnings only
    ("duxx", "dupont", None),  # one edit must give the whole word, not a beginning of it
    ("bxrard", "berarx", None),  # two edits
])
def test_a_word_matches_by_beginning_or_one_edit(word, other, edits):
    assert word_edits(word, (other,)) == edits


def test_one_edit_is_exactly_one():
    assert not one_edit("abcd", "abcd")
    assert not one_edit("abcd", "badc")
    assert one_edit("abcd", "acbd") and one_edit("abcd", "abc") and one_edit("abc", "abxc")


@pytest.mark.parametrize("text, expected", [
    ("berard", ["menuiserie-berard-fils"]),
    ("Bérard", ["menuiserie-berard-fils"]),
    ("Boulangrie Petit", ["boulangerie-petit"]),
    ("boul", ["boulangerie-martin", "boulangerie-petit"]),  # same distance: slug order
    ("Dupont", ["cabinet-dupont-associes", "transports-dd"]),  # 0 edits before 1 (dupond)
    ("Dupond", ["transports-dd", "cabinet-dupont-associes"]),
    ("dd transp", ["transports-dd"]),  # a slug's words are what its dashes separate
    ("dd", ["transports-dd"]),
    ("mb", ["menuiserie-berard-fils"]),  # an alias's beginning
])
def test_a_text_naming_no_client_asks_which_one_it_may_mean(kb, text, expected):
    result = check(kb, text, item="excel")
    assert (result["verdict"], codes(result), result["team"]) == ("ask", ["client-uncertain"], None)
    assert (result["contract"], result["category"]) == (None, None)
    assert candidates(result) == expected
    assert result["client"] == normal_form(text).replace(" ", "-")  # the slug CLIENT would have
    for candidate in result["candidates"]:
        assert candidate["name"] in result["question"]
        assert candidate["client"] in result["question"]


def test_every_word_must_match_within_one_name(kb):
    # "petit" and "dupont" each match a client, but no single name or alias has both
    assert check(kb, "petit dupont", item="excel")["verdict"] == "no-contract"
    # words of the name and of an alias do not mix either
    assert check(kb, "mbf menuiserie", item="excel")["verdict"] == "no-contract"


@pytest.mark.parametrize("text", ["Société Inconnue", "zzz", "!!!", "", "bpx"])
def test_a_text_that_may_mean_nobody_is_no_contract(kb, text):
    result = check(kb, text, item="excel")
    assert (result["verdict"], codes(result), result["candidates"]) == ("no-contract", ["no-contract"], [])


def test_distance_counts_the_edits_of_every_word(kb, tmp_path):
    # "boulangrie martn": two words of one edit each (2); "boulangerie" alone: a beginning (0)
    result = check(kb, "boulangrie martn", item="excel")
    assert candidates(result) == ["boulangerie-martin"]
    many = build_kb(tmp_path / "many", contract("CTR-1", "Alpha Conseil"), contract("CTR-2", "Alpah Conseil"),
                    contract("CTR-3", "Alpha Consel"))
    # each of the three is two edits or fewer from "alpah consel": 0+0, 1+0... taken as their least
    assert candidates(check(many, "alpah consel", item="excel")) == ["alpah-conseil", "alpha-consel",
                                                                    "alpha-conseil"]


def test_at_most_ten_candidates_in_order(tmp_path):
    kb = build_kb(tmp_path, *(contract(f"CTR-{n:02}", f"Garage {chr(ord('A') + n)}") for n in range(14)))
    result = check(kb, "garage", item="excel")
    assert candidates(result) == [f"garage-{chr(ord('a') + n)}" for n in range(10)]


def test_an_exact_name_never_asks(kb):
    result = check(kb, "Boulangerie Petit", item="excel")
    assert (result["verdict"], result["candidates"]) == ("handle", [])


def test_every_answer_carries_candidates(kb):
    for text in ("BP", "inconnu", "boul"):
        assert "candidates" in check(kb, text, item="excel")


def test_the_question_in_english(kb):
    result = check(kb, "Dupont", lang="en", item="excel")
    assert result["question"].startswith("Which of these companies")


def test_check_lists_the_candidates_one_per_line_with_their_slug(tmp_path):
    root = write_kb(tmp_path, {"petit.yaml": contract("CTR-1", "Boulangerie Petit"),
                               "martin.yaml": contract("CTR-2", "Boulangerie Martin")})
    result = subprocess.run(["scopekb", "check", "boul", "--item", "excel", "--root", str(root)],
                            capture_output=True, text=True, timeout=120)
    out = result.stdout.splitlines()
    assert (result.returncode, result.stderr) == (0, "")
    assert out[0] == "À PRÉCISER"
    at = out.index("Clients possibles (relancer avec le slug) :")
    assert out[at + 1:at + 3] == ["  - boulangerie-martin  Boulangerie Martin",
                                  "  - boulangerie-petit  Boulangerie Petit"]
