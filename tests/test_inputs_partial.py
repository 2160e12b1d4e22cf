"""One broken contract file does not stop `scopekb check` for every client.

check answers for the clients of the valid files, and prints on stderr each error line and, per file left
out, a line saying the answer may be incomplete for its client (exit 0). For a client the broken file may
be about (by the names its text shows, or its file name) it prints the error lines alone and exits 2, as
validate and build do for any broken file.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kb_builder import PROVIDER
from scopekb.kb.load import read_client_names

ALPHA = """\
id: CTR-1
client: {name: Alpha}
signed: 2025-01-01
services: [incident]
scope:
  - {category: printers, level: n1}
"""
BETA = ALPHA.replace("CTR-1", "CTR-2").replace("{name: Alpha}", "{name: Beta Industries, aliases: [BI]}")
GAMMA = ALPHA.replace("CTR-1", "CTR-3").replace("Alpha", "Gamma")
BROKEN_BETA = BETA.replace("services: [incident]", "services: [incident")  # line 4
SYNTAX = "contracts/beta.yaml:4: services: YAML syntax error: did not find expected ',' or ']' (expected valid YAML)"


def scopekb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["scopekb", *args], capture_output=True, text=True, timeout=120)


def make_kb(root: Path, contracts: dict[str, str | bytes]) -> Path:
    (root / "contracts").mkdir(parents=True, exist_ok=True)
    (root / "contracts" / "provider.yaml").write_text(PROVIDER, encoding="utf-8")
    for name, text in contracts.items():
        path = root / "contracts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root


def check(root: Path, client: str) -> subprocess.CompletedProcess:
    return scopekb("check", client, "--item", "printer", "--date", "2025-06-01", "--json", "--root", str(root))


def left_out(source: str, names: str) -> str:
    return (f"{source}:1: document: left out of this answer, which may be incomplete for the client of this file "
            f"({names}) (expected a contract without errors)")


def assert_answers(root: Path, client: str, slug: str, verdict: str, stderr: list[str]) -> None:
    result = check(root, client)
    assert (result.returncode, result.stderr.splitlines()) == (0, stderr)
    answer = json.loads(result.stdout)
    assert (answer["client"], answer["verdict"]) == (slug, verdict)


def assert_refuses(root: Path, client: str, stderr: list[str]) -> None:
    result = check(root, client)
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (2, "", stderr)


def test_a_syntax_error_stops_check_only_for_the_client_of_its_file(tmp_path):
    root = make_kb(tmp_path, {"alpha.yaml": ALPHA, "beta.yaml": BROKEN_BETA})
    warnings = [SYNTAX, left_out("contracts/beta.yaml", "'Beta Industries', 'BI', 'beta'")]
    assert_answers(root, "Alpha", "alpha", "handle", warnings)
    assert_answers(root, "Gamma", "gamma", "no-contract", warnings)  # no client may mean Gamma
    for client in ("Beta Industries", "BI", "b.i.", "beta", "BETA"):  # its name, alias, slug
        assert_refuses(root, client, [SYNTAX])
    assert_refuses(root, "Beta Indsutries", [SYNTAX])  # may mean it (one edit), and names no valid client


def test_validate_and_build_still_fail_on_any_broken_file(tmp_path):
    root = tmp_path / "kb"
    assert scopekb("init", str(root)).returncode == 0
    for scaffolded in (root / "contracts").glob("*.yaml"):
        scaffolded.unlink()
    make_kb(root, {"alpha.yaml": ALPHA, "beta.yaml": BROKEN_BETA})
    for command in ("validate", "build"):
        result = scopekb(command, "--root", str(root))
        errors = [line for line in result.stderr.splitlines() if line != "chargement des contrats"]  # build's progress
        assert (result.returncode, result.stdout, errors) == (2, "", [SYNTAX]), command
    assert not (root / "site").exists()


def test_a_file_whose_text_names_no_client_is_known_by_its_file_name(tmp_path):
    root = make_kb(tmp_path, {"alpha.yaml": ALPHA, "sub/Gamma Co.yaml": "", "delta.yml": b"\x89PNG\r\n\x1a\n"})
    errors = ["contracts/delta.yml:1: document: not UTF-8 text (expected a YAML text file)",
              "contracts/sub/Gamma Co.yaml:1: document: the file is empty (expected a mapping with keys id, client, "
              "signed, start, end, services, remote_installation, scope, equipment, out_of_scope, public_notes, "
              "internal_notes)"]
    assert_answers(root, "Alpha", "alpha", "handle", errors + [
        left_out("contracts/delta.yml", "'delta'"), left_out("contracts/sub/Gamma Co.yaml", "'gamma-co'")])
    assert_refuses(root, "gamma co", errors)
    assert_refuses(root, "Gamma", errors)  # may mean gamma-co
    assert_refuses(root, "Delta", errors)


def test_the_client_is_read_from_the_lines_when_the_yaml_breaks_before_it(tmp_path):
    tabbed = "id: CTR-2\nclient:\n\tname: Beta Industries\nsigned: 2025-01-01\n"
    latin1 = "id: CTR-3\nclient: {name: Société Générale}\n".encode("latin-1")
    root = make_kb(tmp_path, {"alpha.yaml": ALPHA, "x.yaml": tabbed, "y.yaml": latin1})
    errors = ["contracts/x.yaml:3: name: YAML syntax error: found character that cannot start any token "
              "(expected spaces, not tabs, to indent)",
              "contracts/y.yaml:2: document: not UTF-8 text (expected a YAML text file)"]
    assert_answers(root, "Alpha", "alpha", "handle", errors + [
        left_out("contracts/x.yaml", "'Beta Industries', 'x'"),
        left_out("contracts/y.yaml", "'Société Générale', 'y'")])
    assert_refuses(root, "Beta Industries", errors)
    assert_refuses(root, "societe generale", errors)


DUPLICATE_ID = ("contracts/beta.yaml:1: id: 'CTR-1' is also the id of contracts/alpha.yaml "
                "(expected an id unique across contracts/)")


@pytest.mark.parametrize("beta, error, left", [
    (BETA.replace("CTR-2", "CTR-1"), DUPLICATE_ID, ["alpha", "beta"]),
    (BETA.replace("[BI]", "[BI, alpha]"),
     "contracts/beta.yaml:2: client.aliases[1]: 'alpha' also names client 'alpha' (contracts/alpha.yaml) "
     "(expected names and aliases that name one client only)", ["alpha", "beta"]),
    (BETA.replace("category: printers", "category: printerz"),
     "contracts/beta.yaml:6: scope[0].category: unknown category 'printerz' (expected an id from the catalog: "
     "office, printers, workstations, servers, network, training)", ["beta"]),
], ids=["an id used twice", "an alias naming two clients", "an unknown category"])
def test_a_problem_across_files_leaves_out_every_file_it_concerns(tmp_path, beta, error, left):
    root = make_kb(tmp_path, {"alpha.yaml": ALPHA, "beta.yaml": beta, "gamma.yaml": GAMMA})
    names = {"alpha": "'Alpha'", "beta": "'Beta Industries', 'BI', 'beta'"}
    if "alpha" in left and "[BI, alpha]" in beta:
        names["beta"] = "'Beta Industries', 'BI', 'alpha', 'beta'"
    warnings = [error] + [left_out(f"contracts/{name}.yaml", names[name]) for name in left]
    assert_answers(root, "Gamma", "gamma", "handle", warnings)
    for client in ("Beta Industries", *(["Alpha"] if "alpha" in left else [])):
        assert_refuses(root, client, [error])
    if "alpha" not in left:
        assert_answers(root, "Alpha", "alpha", "handle", warnings)


def test_a_client_named_exactly_is_answered_though_a_broken_file_looks_like_it(tmp_path):
    """"Alpha" names the valid client Alpha: a broken file of client Alphabet (which "alpha" begins) does not
    stop its answer; "Alph", which names no client, may mean either, and is refused."""
    broken = BETA.replace("Beta Industries", "Alphabet").replace("services: [incident]", "services: [incident")
    root = make_kb(tmp_path, {"alpha.yaml": ALPHA, "z.yaml": broken})
    error = "contracts/z.yaml:4: services: YAML syntax error: did not find expected ',' or ']' (expected valid YAML)"
    assert_answers(root, "Alpha", "alpha", "handle", [error, left_out("contracts/z.yaml", "'Alphabet', 'BI', 'z'")])
    assert_refuses(root, "Alph", [error])


def test_warnings_come_back_until_the_file_is_fixed(tmp_path):
    """A partial load is never the cache's snapshot: every check says what it left out."""
    root = make_kb(tmp_path, {"alpha.yaml": ALPHA, "beta.yaml": BETA})
    assert_answers(root, "Alpha", "alpha", "handle", [])  # a snapshot of the whole knowledge base is stored
    (root / "contracts" / "beta.yaml").write_text(BROKEN_BETA, encoding="utf-8")
    warnings = [SYNTAX, left_out("contracts/beta.yaml", "'Beta Industries', 'BI', 'beta'")]
    for _ in range(2):
        assert_answers(root, "Alpha", "alpha", "handle", warnings)
    (root / "contracts" / "beta.yaml").write_text(BETA.replace("CTR-2", "CTR-9"), encoding="utf-8")
    assert_answers(root, "BI", "beta-industries", "handle", [])


def test_the_text_output_is_the_verdict_and_the_warnings_go_to_stderr(tmp_path):
    root = make_kb(tmp_path, {"alpha.yaml": ALPHA, "beta.yaml": BROKEN_BETA})
    result = scopekb("check", "Alpha", "--item", "printer", "--date", "2025-06-01", "--lang", "en", "--root",
                     str(root))
    assert result.returncode == 0
    assert result.stdout.splitlines()[:3] == ["HANDLE → Helpdesk N1 (01 00 00 00 01)", "Client: Alpha (alpha)",
                                              "Contract: CTR-1"]
    assert result.stderr.splitlines() == [SYNTAX, left_out("contracts/beta.yaml", "'Beta Industries', 'BI', 'beta'")]


def test_a_broken_provider_still_stops_every_check(tmp_path):
    root = make_kb(tmp_path, {"alpha.yaml": ALPHA, "beta.yaml": BROKEN_BETA})
    (root / "contracts" / "provider.yaml").write_text(PROVIDER.replace("escalation: boss", "escalation: chief"),
                                                      encoding="utf-8")
    assert_refuses(root, "Alpha", [
        "contracts/provider.yaml:10: defaults.escalation: unknown team 'chief' (expected one of helpdesk, n2-sys, "
        "n2-apps, onsite, boss, sales)", SYNTAX])


@pytest.mark.parametrize("text, names", [
    ("client: {name: Alpha, aliases: [AL, 'A B'], slug: alpha-co}\nsigned: 2025-13-01\n",
     ("Alpha", "AL", "A B", "alpha-co")),
    ('client:\n  name: "Alpha & Co"  # its name\n  aliases:\n    - AC\n    - \'A. C.\'\n  slug: ac\nscope: [\n',
     ("Alpha & Co", "AC", "A. C.", "ac")),
    ("id: [\nclient:\n  name: Alpha # a comment\n  aliases: [AL, \"A, B\"]\n", ("Alpha", "AL", "A, B")),
    ("id: CTR-1\nclient: {aliases: [AL]}\n", ("AL",)),
    ("- id: CTR-1\n- client: {name: Alpha}\n", ()),
    ("", ()),
])
def test_the_names_of_a_broken_file_are_read_as_far_as_they_can_be(text, names):
    assert read_client_names(text.encode()) == names
