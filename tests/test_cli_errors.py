"""Broken input of every kind: one line per error, `FILE:LINE: key: what is wrong (what was expected)`.

Each case writes a knowledge base with one defect and runs the real `scopekb`
command on it; the error lines must be exactly these, the exit status 2,
stdout empty, and no traceback, for `validate` and for `check` of the client
of the broken file alike.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from kb_builder import PROVIDER

REPO = Path(__file__).resolve().parents[1]
ERROR_LINE = re.compile(r"^[^\s:][^:]*:\d+: [^:]+: .+ \(expected .+\)$")
CLI_ERROR_LINE = re.compile(r"^command line: \S+: .+ \(expected .+\)$")

CONTRACT_KEYS = ("id, client, signed, start, end, services, remote_installation, scope, equipment, out_of_scope, "
                 "public_notes, internal_notes")
CATEGORIES = "office, printers, workstations, servers, network, training"  # kb_builder.PROVIDER's catalogue
TEAMS = "helpdesk, n2-sys, n2-apps, onsite, boss, sales"
KINDS = "incident, installation, information, change"

# A valid contract; the line numbers below refer to it.
BASE = """\
id: CTR-1
client: {name: Alpha}
signed: 2025-01-01
services: [incident]
scope:
  - {category: printers, level: n1}
"""


def scopekb(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    # the timeout only keeps a hung run from hanging the suite; it is no speed assertion
    return subprocess.run(["scopekb", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def kb(root: Path, contracts: dict[str, str | bytes], provider: str | None = PROVIDER) -> Path:
    files = {f"contracts/{name}": text for name, text in contracts.items()}
    if provider is not None:
        files["contracts/provider.yaml"] = provider
    return write(root, files)


def assert_fails_with(root: Path, expected: list[str], client: str = "c") -> None:
    # check fails for the client of a broken file; "c" is the one contracts/c.yaml's name suggests, whatever
    # its text (check answers for other clients: tests/test_inputs_partial.py)
    for command in (["validate"], ["check", client, "--item", "printer"]):
        result = scopekb(*command, "--root", str(root))
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines() == expected, command
        assert result.stderr.endswith("\n")
        assert (result.returncode, result.stdout) == (2, ""), command
        for line in expected:
            assert ERROR_LINE.match(line), line


C = "contracts/c.yaml"

CASES = {
    "empty file": (
        {"c.yaml": ""},
        [f"{C}:1: document: the file is empty (expected a mapping with keys {CONTRACT_KEYS})"]),
    "only a comment": (
        {"c.yaml": "# nothing yet\n"},
        [f"{C}:1: document: the file is empty (expected a mapping with keys {CONTRACT_KEYS})"]),
    "binary garbage": (
        {"c.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"},
        [f"{C}:1: document: not UTF-8 text (expected a YAML text file)"]),
    "NUL bytes in UTF-8 text": (
        {"c.yaml": b"id: CTR-1\nclient: \x00\x00\x01\n"},
        [f"{C}:2: document: binary data (expected a YAML text file)"]),
    "Latin-1 instead of UTF-8": (
        {"c.yaml": BASE.replace("Alpha", "Soci\xe9t\xe9").encode("latin-1")},
        [f"{C}:2: document: not UTF-8 text (expected a YAML text file)"]),
    "tab indentation": (
        {"c.yaml": BASE.replace("client: {name: Alpha}", "client:\n\tname: Alpha")},
        [f"{C}:3: name: YAML syntax error: found character that cannot start any token "
         "(expected spaces, not tabs, to indent)"]),
    "unclosed bracket": (
        {"c.yaml": BASE.replace("services: [incident]", "services: [incident")},
        [f"{C}:4: services: YAML syntax error: did not find expected ',' or ']' (expected valid YAML)"]),
    "unclosed quote": (
        {"c.yaml": 'id: "CTR-1\n'},
        [f"{C}:1: id: YAML syntax error: found unexpected end of stream (expected valid YAML)"]),
    "bad indentation": (
        {"c.yaml": BASE.replace("signed: 2025-01-01", "signed: 2025-01-01\n  start: 2025-02-01")},
        [f"{C}:4: start: YAML syntax error: mapping values are not allowed in this context (expected valid YAML)"]),
    "top-level list": (
        {"c.yaml": "- id: CTR-1\n- id: CTR-2\n"},
        [f"{C}:1: document: a list is not a mapping (expected a mapping with keys {CONTRACT_KEYS})"]),
    "top-level text": (
        {"c.yaml": "just some text\n"},
        [f"{C}:1: document: 'just some text' is not a mapping (expected a mapping with keys {CONTRACT_KEYS})"]),
    "text over lines, line breaks and control characters shown escaped": (
        {"c.yaml": " CTR-1\n\n CTR-1\n",
         "d.yaml": BASE.replace("CTR-1", "CTR-2").replace("[incident]", '["a\\tb\\u001f"]')},
        [f"{C}:1: document: 'CTR-1\\nCTR-1' is not a mapping (expected a mapping with keys {CONTRACT_KEYS})",
         "contracts/d.yaml:4: services[0]: 'a\\tb\\u001f' is not allowed "
         "(expected one of incident, installation, information, change)"]),
    "recursive alias in a list": (
        {"c.yaml": BASE.replace("scope:\n  - {category: printers, level: n1}\n", "scope: &s [*s]\n")},
        [f"{C}:5: scope[0]: a list is not a mapping (expected a mapping with keys category, level, team, items)"]),
    "recursive alias in a mapping": (
        {"c.yaml": BASE.replace("client: {name: Alpha}", "client: &c {name: Alpha, aliases: *c}")},
        [f"{C}:2: client.aliases: a mapping is not a list (expected a list of strings)"]),
    "duplicate key": (
        {"c.yaml": BASE + "signed: 2025-02-01\n"},
        [f"{C}:7: signed: duplicate key (expected each key once per mapping)"]),
    "duplicate key in a scope entry": (
        {"c.yaml": BASE.replace("level: n1}", "level: n1, level: n2}")},
        [f"{C}:6: scope[0].level: duplicate key (expected each key once per mapping)"]),
    "typo scopes: drops no perimeter silently": (
        {"c.yaml": BASE.replace("scope:", "scopes:")},
        [f"{C}:5: scopes: unknown key, did you mean 'scope'? (expected one of {CONTRACT_KEYS})",
         f"{C}:1: scope: missing (expected a list of mappings with keys category, level, team, items)"]),
    "unknown key in an asset": (
        {"c.yaml": BASE + "equipment:\n  items:\n    - {id: A-1, category: printers, bought: 2024-01-01}\n"},
        [f"{C}:9: equipment.items[0].bought: unknown key (expected one of id, category, model, acquired)"]),
    "missing required keys": (
        {"c.yaml": "id: CTR-1\n"},
        [f"{C}:1: client: missing (expected a mapping with keys name, aliases, slug, lang)",
         f"{C}:1: signed: missing (expected a date YYYY-MM-DD)",
         f"{C}:1: services: missing (expected a non-empty list of one of {KINDS})",
         f"{C}:1: scope: missing (expected a list of mappings with keys category, level, team, items)"]),
    "missing client name": (
        {"c.yaml": BASE.replace("{name: Alpha}", "{aliases: [AL]}")},
        [f"{C}:2: client.name: missing (expected a string)"]),
    "missing level": (
        {"c.yaml": BASE.replace("{category: printers, level: n1}", "{category: printers}")},
        [f"{C}:6: scope[0].level: missing (expected one of n1, n2)"]),
    "no such day": (
        {"c.yaml": BASE.replace("2025-01-01", "2024-02-30")},
        [f"{C}:3: signed: '2024-02-30' is no such day (expected a real date YYYY-MM-DD)"]),
    "date not in ISO form": (
        {"c.yaml": BASE.replace("2025-01-01", "15/01/2025")},
        [f"{C}:3: signed: '15/01/2025' is not a date (expected YYYY-MM-DD)"]),
    "end before start": (
        {"c.yaml": BASE + "start: 2025-03-01\nend: 2025-02-28\n"},
        [f"{C}:8: end: 2025-02-28 is before start 2025-03-01 (expected an end on or after start)"]),
    "end before signed when start is left out": (
        {"c.yaml": BASE + "end: 2024-12-31\n"},
        [f"{C}:7: end: 2024-12-31 is before start 2025-01-01 (expected an end on or after start)"]),
    "unknown category": (
        {"c.yaml": BASE.replace("category: printers", "category: printerz")},
        [f"{C}:6: scope[0].category: unknown category 'printerz' (expected an id from the catalog: {CATEGORIES})"]),
    "unknown category of an asset": (
        {"c.yaml": BASE + "equipment:\n  items:\n    - {id: A-1, category: phones}\n"},
        [f"{C}:9: equipment.items[0].category: unknown category 'phones' "
         f"(expected an id from the catalog: {CATEGORIES})"]),
    "unknown team": (
        {"c.yaml": BASE.replace("level: n1}", "level: n2, team: n3-sys}")},
        [f"{C}:6: scope[0].team: unknown team 'n3-sys' (expected one of {TEAMS})"]),
    "n2 without team": (
        {"c.yaml": BASE.replace("level: n1}", "level: n2}")},
        [f"{C}:6: scope[0].team: missing for a level n2 entry (expected a team id)"]),
    "unknown level": (
        {"c.yaml": BASE.replace("level: n1}", "level: n3}")},
        [f"{C}:6: scope[0].level: 'n3' is not allowed (expected one of n1, n2)"]),
    "duplicate asset ids ignoring case": (
        {"c.yaml": BASE + "equipment:\n  items:\n    - {id: PRN-1, category: printers}\n"
                          "    - {id: prn-1, category: printers}\n"},
        [f"{C}:10: equipment.items[1].id: asset id 'prn-1' already used at items[0] (expected unique asset ids)"]),
    "duplicate contract id across two files": (
        {"c.yaml": BASE, "sub/d.yaml": BASE.replace("Alpha", "Beta")},
        ["contracts/sub/d.yaml:1: id: 'CTR-1' is also the id of contracts/c.yaml "
         "(expected an id unique across contracts/)"]),
    "alias naming two clients": (
        {"c.yaml": BASE.replace("{name: Alpha}", "{name: Alpha, aliases: [A.B.C.]}"),
         "d.yml": BASE.replace("CTR-1", "CTR-2").replace("{name: Alpha}", "{name: Beta, aliases: [a-b-c]}")},
        ["contracts/d.yml:2: client.aliases[0]: 'a-b-c' also names client 'alpha' (contracts/c.yaml) "
         "(expected names and aliases that name one client only)"]),
    "empty services": (
        {"c.yaml": BASE.replace("[incident]", "[]")},
        [f"{C}:4: services: empty list (expected a non-empty list of one of {KINDS})"]),
    "services not a list": (
        {"c.yaml": BASE.replace("[incident]", "incident")},
        [f"{C}:4: services: 'incident' is not a list (expected a non-empty list of one of {KINDS})"]),
    "unknown service kind": (
        {"c.yaml": BASE.replace("[incident]", "[incident, repair]")},
        [f"{C}:4: services[1]: 'repair' is not allowed (expected one of {KINDS})"]),
    "unknown policy": (
        {"c.yaml": BASE + "equipment: {policy: acquired-after-signature}\n"},
        [f"{C}:7: equipment.policy: 'acquired-after-signature' is not allowed "
         "(expected one of all, listed, acquired-before-signature)"]),
    "remote_installation as text": (
        {"c.yaml": BASE + 'remote_installation: "yes"\n'},
        [f"{C}:7: remote_installation: 'yes' is not a boolean (expected true or false)"]),
    "unknown proposal": (
        {"c.yaml": BASE + "out_of_scope: {may_propose: [discount]}\n"},
        [f"{C}:7: out_of_scope.may_propose[0]: 'discount' is not allowed "
         "(expected one of extension, billed-service, new-contract)"]),
    "unknown escalation team": (
        {"c.yaml": BASE + "out_of_scope: {escalate_to: ceo}\n"},
        [f"{C}:7: out_of_scope.escalate_to: unknown team 'ceo' (expected one of {TEAMS})"]),
    "bad client slug": (
        {"c.yaml": BASE.replace("{name: Alpha}", "{name: Alpha, slug: Alpha Co}")},
        [f"{C}:2: client.slug: 'Alpha Co' is not a slug (lower case, digits, single dashes) "
         "(expected a slug (lower case, digits, single dashes))"]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_broken_contract(tmp_path, case):
    contracts, expected = CASES[case]
    assert_fails_with(kb(tmp_path, contracts), expected)


P = "contracts/provider.yaml"

PROVIDER_CASES = {
    "provider without a helpdesk team": (
        PROVIDER.replace("  helpdesk: {name: Helpdesk N1, phone: \"01 00 00 00 01\"}\n", ""),
        [f"{P}:3: teams.helpdesk: missing (expected a team with id 'helpdesk')"]),
    "defaults naming an unknown team": (
        PROVIDER.replace("escalation: boss", "escalation: chief"),
        [f"{P}:10: defaults.escalation: unknown team 'chief' (expected one of {TEAMS})"]),
    "unknown category kind": (
        PROVIDER.replace("kind: service", "kind: consulting"),
        [f"{P}:35: catalog.training.kind: 'consulting' is not allowed "
         "(expected one of software, hardware, network, service)"]),
    "category without label": (
        PROVIDER.replace("    label: Printers\n", ""),
        [f"{P}:18: catalog.printers.label: missing (expected a string)"]),
    "missing catalog": (
        PROVIDER.split("catalog:")[0],
        [f"{P}:1: catalog: missing (expected a mapping of ids (lower case, digits, dashes) to entries)"]),
    "team id that is not an id": (
        PROVIDER.replace("  sales:", "  Sales Team:"),
        [f"{P}:8: teams.\"Sales Team\": 'Sales Team' is not an id (expected lower case, digits and dashes)"]),
    "ticket category mapped to no category of the catalogue": (
        PROVIDER + "ticket_categories:\n  Bureautique > Outlook: office\n  Matériel > Scanner: scanners\n",
        [f"{P}:39: ticket_categories.\"Matériel > Scanner\": unknown category 'scanners' (expected an id from "
         f"the catalog: {CATEGORIES})"]),
    "ticket category path that is blank": (
        PROVIDER + "ticket_categories:\n  \"  \": office\n",
        [f"{P}:38: ticket_categories.\"  \": '  ' is not a category path (expected a category path of the "
         "ticketing tool, such as 'Matériel > Imprimante')"]),
    "empty provider file": (
        "",
        [f"{P}:1: document: the file is empty (expected a mapping with keys provider, teams, defaults, catalog, ticket_categories)"]),
}


@pytest.mark.parametrize("case", PROVIDER_CASES, ids=list(PROVIDER_CASES))
def test_broken_provider(tmp_path, case):
    provider, expected = PROVIDER_CASES[case]
    assert_fails_with(kb(tmp_path, {"c.yaml": BASE}, provider=provider), expected)


def test_missing_provider_file(tmp_path):
    root = kb(tmp_path, {"c.yaml": BASE}, provider=None)
    assert_fails_with(root, [f"{P}:1: provider: file not found under {root} "
                             "(expected a knowledge-base folder; create one with 'scopekb init DIR')"])


def test_every_error_of_a_run_is_printed(tmp_path):
    root = kb(tmp_path, {
        "a.yaml": BASE.replace("2025-01-01", "2025-13-01").replace("[incident]", "[repair]"),
        "b.yaml": BASE.replace("CTR-1", "CTR-2").replace("scope:", "scopes:"),
    }, provider=PROVIDER.replace("installation: onsite", "installation: nobody"))
    assert_fails_with(root, [
        f"{P}:11: defaults.installation: unknown team 'nobody' (expected one of {TEAMS})",
        "contracts/a.yaml:3: signed: '2025-13-01' is no such day (expected a real date YYYY-MM-DD)",
        f"contracts/a.yaml:4: services[0]: 'repair' is not allowed (expected one of {KINDS})",
        f"contracts/b.yaml:5: scopes: unknown key, did you mean 'scope'? (expected one of {CONTRACT_KEYS})",
        "contracts/b.yaml:1: scope: missing (expected a list of mappings with keys category, level, team, items)",
    ])


def test_yaml_tags_are_refused_never_executed(tmp_path):
    marker = tmp_path / "EXECUTED"
    root = kb(tmp_path / "kb", {"c.yaml": BASE.replace(
        "id: CTR-1", f'id: !!python/object/apply:os.system ["touch {marker}"]')})
    assert_fails_with(root, [f"{C}:1: id: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed "
                             "(expected plain YAML values)"])
    assert not marker.exists()
    root = kb(tmp_path / "kb2", {"c.yaml": BASE.replace("Alpha}", "!!python/name:os.system }")})
    assert_fails_with(root, [f"{C}:2: client.name: tag tag:yaml.org,2002:python/name:os.system is not allowed "
                             "(expected plain YAML values)"])


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\nclient: {name: Alpha, aliases: *i}\n"


def test_billion_laughs_is_refused(tmp_path):
    root = kb(tmp_path, {"c.yaml": billion_laughs()})
    result = scopekb("validate", "--root", str(root))
    assert (result.returncode, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert lines[0] == f"{C}:1: a: unknown key (expected one of {CONTRACT_KEYS})"
    # (an alias's value is reported where its anchor stands)
    assert f"{C}:8: client.aliases[0]: a list is not a string (expected a string)" in lines
    assert all(ERROR_LINE.match(line) for line in lines) and "Traceback" not in result.stderr


def test_alias_bomb_of_valid_shape_is_refused(tmp_path):
    # 1,000 scope entries, all one alias to an entry with 1,000 items: a million values from 10 KB
    items = ",".join(["x"] * 1000)
    entries = ",".join(["*e"] * 1000)
    bomb = BASE.replace("scope:\n  - {category: printers, level: n1}\n",
                        f"scope: [&e {{category: printers, level: n1, items: [{items}]}}, {entries}]\n")
    assert_fails_with(kb(tmp_path, {"c.yaml": bomb}),
                      [f"{C}:5: document: aliases repeat more than 100000 values: the aliases of a contract may "
                       "repeat at most 100000 values in all (expected aliases of small parts, or the values written "
                       "out)"])


# --- Command-line errors ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kb")
    return kb(root, {"c.yaml": BASE})


@pytest.mark.parametrize("args, expected", [
    (["Alpha", "--kind", "repair"],
     f"command line: --kind: 'repair' is not a request kind (expected one of {KINDS})"),
    (["Alpha", "--date", "2025-13-01"], "command line: --date: '2025-13-01' is not a date (expected YYYY-MM-DD)"),
    (["Alpha", "--date", "2024-02-30"], "command line: --date: '2024-02-30' is not a date (expected YYYY-MM-DD)"),
    (["Alpha", "--date", "25-1-1"], "command line: --date: '25-1-1' is not a date (expected YYYY-MM-DD)"),
    (["Alpha", "--acquired", "hier"], "command line: --acquired: 'hier' is not a date (expected YYYY-MM-DD)"),
    (["Alpha", "--item", "printer", "--asset", "A-1"],
     "command line: --asset: give --item or --asset, not both (expected one of them)"),
    (["Alpha", "--lang", "de"], "command line: --lang: 'de' is not a language (expected one of fr, en)"),
])
def test_bad_check_arguments(example, args, expected):
    result = scopekb("check", *args, "--root", str(example))
    assert (result.returncode, result.stdout, result.stderr) == (2, "", expected + "\n")
    assert CLI_ERROR_LINE.match(expected)


@pytest.mark.parametrize("address", ["nonsense", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "serveur:8000"])
def test_bad_serve_address(example, address):
    """Refused before anything is served (MkDocs would abort in two lines, with exit 1)."""
    result = scopekb("serve", "--addr", address, "--root", str(example))
    expected = (f"command line: --addr: '{address}' is not an address to serve on "
                "(expected HOST:PORT, such as 127.0.0.1:8000)")
    assert (result.returncode, result.stdout, result.stderr) == (2, "", expected + "\n")
    assert CLI_ERROR_LINE.match(expected)


@pytest.mark.parametrize("args, names", [
    (["check"], "CLIENT"),
    (["check", "Alpha", "--frobnicate"], "--frobnicate"),
    (["check", "Alpha", "--date"], "--date"),
    (["check", "Alpha", "Beta"], "Beta"),
    (["schema", "other"], "other"),
    (["frobnicate"], "frobnicate"),
])
def test_usage_errors_are_one_line_in_the_same_form(example, args, names):
    result = scopekb(*args, cwd=example)
    assert (result.returncode, result.stdout) == (2, "")
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    line = result.stderr.rstrip("\n")
    assert names in line
    assert CLI_ERROR_LINE.match(line), line


def test_a_contract_that_cannot_be_read(tmp_path):
    root = kb(tmp_path, {"c.yaml": BASE})
    (root / "contracts" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert_fails_with(root, ["contracts/gone.yaml:1: document: cannot be read: No such file or directory "
                             "(expected a readable file)"], client="gone")


def test_a_root_without_contracts(tmp_path):
    result = scopekb("check", "Alpha", "--root", str(tmp_path / "nowhere"))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"{P}:1: provider: file not found under {tmp_path / 'nowhere'} "
                             "(expected a knowledge-base folder; create one with 'scopekb init DIR')\n")


def test_an_output_folder_that_cannot_be_made_is_one_error_line(tmp_path):
    """Every command that writes names what set the place it could not write, never with a traceback."""
    blocker = tmp_path / "a-file"  # a file where a folder should be made
    blocker.write_text("not a folder", encoding="utf-8")
    root = tmp_path / "kb"
    assert scopekb("init", str(root)).returncode == 0
    config = root / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    site_line = next(n for n, line in enumerate(lines, 1) if line.startswith("site_dir:"))
    lines[site_line - 1] = f"site_dir: {blocker / 'site'}"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cases = [
        (["init", str(blocker / "kb")], "command line: DIRECTORY", blocker / "kb"),
        (["schema", "--out", str(blocker / "schema")], "command line: --out", blocker / "schema"),
        (["render", "--out", str(blocker / "pages"), "--root", str(root)], "command line: --out", blocker / "pages"),
        (["build", "--root", str(root)], f"mkdocs.yml:{site_line}: site_dir", blocker / "site"),
    ]
    for args, where, place in cases:
        result = scopekb(*args)
        assert (result.returncode, result.stdout) == (2, ""), args
        assert "Traceback" not in result.stderr, args
        errors = [line for line in result.stderr.splitlines() if line != "chargement des contrats"]
        assert len(errors) == 1 and re.fullmatch(
            rf"{re.escape(where)}: cannot write {re.escape(str(place))}: .+ "
            r"\(expected a folder that can be created and written\)", errors[0]), (args, errors)
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_output_that_cannot_be_written_is_one_line_and_status_1(tmp_path):
    """stdout open for reading only: writing the report fails as on a full disk."""
    readable_only = tmp_path / "out.txt"
    readable_only.write_text("", encoding="utf-8")
    with readable_only.open("rb") as stdout:
        result = subprocess.run(["scopekb", "validate", "--root", str(REPO)], stdout=stdout,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (1, "output: Bad file descriptor\n")


# --- validate and schema on the example data -------------------------------------------------------

def test_validate_accepts_the_example_data():
    result = scopekb("validate", "--root", str(REPO))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("ok — contrats : 9, clients : 8")  # in the example's language


def as_json_values(data):
    """YAML as an editor's schema checker sees it: dates are strings."""
    if isinstance(data, dict):
        return {k: as_json_values(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_json_values(v) for v in data]
    return data.isoformat() if hasattr(data, "isoformat") else data


@pytest.mark.parametrize("kind", ["provider", "contract"])
def test_schema_is_valid_json_schema_and_accepts_every_example_file(kind):
    result = scopekb("schema", kind)
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    files = sorted((REPO / "contracts").rglob("*.yaml"))
    files = [f for f in files if (f.name == "provider.yaml") == (kind == "provider")]
    assert files
    for path in files:
        data = as_json_values(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path
    committed = REPO / "schema" / f"{kind}.schema.json"
    if committed.exists():
        assert json.loads(committed.read_text(encoding="utf-8")) == schema


def test_schema_rejects_what_validate_rejects():
    schema = json.loads(scopekb("schema", "contract").stdout)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    good = as_json_values(yaml.safe_load(BASE))
    assert list(validator.iter_errors(good)) == []
    for broken in ({**good, "scopes": []}, {**good, "services": []}, {**good, "services": ["repair"]},
                   {**good, "signed": "2024-02-30"}, {k: v for k, v in good.items() if k != "scope"}):
        assert list(validator.iter_errors(broken)), broken
