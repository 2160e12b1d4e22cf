"""The limits of the formats (docs/coverage.md, "Limits"): large real contracts pass, and what is over a limit
is one error line naming the file, the line and the key, the same for validate and build."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from kb_builder import PROVIDER
from scopekb.errors import InputError
from scopekb.kb import load, validate
from scopekb.kb.schema import MAX_FILE_BYTES, MAX_NOTES_CHARS, MAX_REPEATED_VALUES, MAX_TEXT_CHARS, MAX_VALUES

C = "contracts/c.yaml"
BASE = """\
id: CTR-1
client: {name: Alpha}
signed: 2025-01-01
services: [incident]
scope:
  - {category: printers, level: n1}
"""


def scopekb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["scopekb", *args], capture_output=True, text=True, timeout=300)


def make_kb(root: Path, contracts: dict[str, str | bytes], site: bool = False) -> Path:
    """A knowledge base; with `site`, the scaffold's mkdocs.yml and content/ too, for build."""
    if site:
        assert scopekb("init", str(root)).returncode == 0
        for scaffolded in (root / "contracts").glob("*.yaml"):
            scaffolded.unlink()
    (root / "contracts").mkdir(parents=True, exist_ok=True)
    (root / "contracts" / "provider.yaml").write_text(PROVIDER, encoding="utf-8")
    for name, text in contracts.items():
        path = root / "contracts" / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root


def assets(count: int) -> str:
    rows = "".join(f"    - {{id: PRN-{i:06d}, category: printers, model: LaserJet unit {i}, acquired: 2023-06-01}}\n"
                   for i in range(count))
    return BASE + "equipment:\n  policy: listed\n  items:\n" + rows


def test_a_contract_of_40000_assets_is_valid(tmp_path):
    root = make_kb(tmp_path, {"c.yaml": assets(40_000)})
    result = scopekb("validate", "--root", str(root))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("ok — contrats : 1, clients : 1")
    result = scopekb("check", "Alpha", "--asset", "prn-039999", "--date", "2025-06-01", "--json", "--root",
                     str(root))
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["verdict"] == "handle"


def assert_refused_by_validate_and_build(tmp_path: Path, contracts: dict[str, str | bytes],
                                         expected: list[str]) -> None:
    root = make_kb(tmp_path / "kb", contracts, site=True)
    for command in (["validate"], ["build"]):
        result = scopekb(*command, "--root", str(root))
        errors = [line for line in result.stderr.splitlines() if line != "chargement des contrats"]  # build's progress
        assert (result.returncode, result.stdout, errors) == (2, "", expected), command
        assert "Traceback" not in result.stderr
    assert not (root / "site").exists()


NOTES = "x" * MAX_NOTES_CHARS
NAME = "N" * MAX_TEXT_CHARS

TOO_LONG = {
    "public notes": (
        BASE + f"public_notes: {NOTES}y\n",
        [f"{C}:7: public_notes: text of 65537 characters is too long (expected a text of at most 65536 characters)"]),
    "internal notes, in a block": (
        BASE + "internal_notes: |\n" + "".join(f"  {'z' * 99}\n" for _ in range(700)),
        [f"{C}:7: internal_notes: text of 70000 characters is too long "
         "(expected a text of at most 65536 characters)"]),
    "client name": (
        BASE.replace("{name: Alpha}", f"{{name: {NAME}n}}"),
        [f"{C}:2: client.name: text of 1001 characters is too long (expected a text of at most 1000 characters)"]),
    "scope item": (
        BASE.replace("level: n1}", f"level: n1, items: [Word, {NAME}n]}}"),
        [f"{C}:6: scope[0].items[1]: text of 1001 characters is too long "
         "(expected a text of at most 1000 characters)"]),
    "asset model": (
        BASE + f"equipment:\n  items:\n    - id: A-1\n      category: printers\n      model: {NAME}n\n",
        [f"{C}:11: equipment.items[0].model: text of 1001 characters is too long "
         "(expected a text of at most 1000 characters)"]),
    "client slug": (
        BASE.replace("{name: Alpha}", f"{{name: Alpha, slug: {'a' * 1001}}}"),
        [f"{C}:2: client.slug: text of 1001 characters is too long (expected a text of at most 1000 characters)"]),
}


@pytest.mark.parametrize("case", TOO_LONG, ids=list(TOO_LONG))
def test_a_text_over_its_limit_is_an_error_line(tmp_path, case):
    text, expected = TOO_LONG[case]
    assert_refused_by_validate_and_build(tmp_path, {"c.yaml": text}, expected)


def test_texts_at_their_limits_are_valid(tmp_path):
    root = make_kb(tmp_path, {"c.yaml": BASE.replace("{name: Alpha}", f"{{name: Alpha, aliases: [{NAME}]}}")
                              + f"public_notes: {NOTES}\ninternal_notes: {NOTES}\n"})
    result = scopekb("validate", "--root", str(root))
    assert (result.returncode, result.stderr) == (0, "")


def test_a_provider_id_over_the_limit_is_an_error_line(tmp_path):
    root = make_kb(tmp_path, {"c.yaml": BASE})
    provider = PROVIDER.replace("  sales: {name: Sales Team}", f"  {'s' * 1001}: {{name: Sales Team}}")
    (root / "contracts" / "provider.yaml").write_text(provider, encoding="utf-8")
    result = scopekb("validate", "--root", str(root))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f'contracts/provider.yaml:8: teams."{"s" * 80}...": key of 1001 characters is too long '
                             "(expected a key of at most 1000 characters)\n")


def test_a_long_value_is_quoted_short_in_an_error_line(tmp_path):
    root = make_kb(tmp_path, {"c.yaml": BASE.replace("[incident]", f"[{'r' * 900}]")})
    result = scopekb("validate", "--root", str(root))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"{C}:4: services[0]: '{'r' * 80}...' is not allowed "
                             "(expected one of incident, installation, information, change)\n")


def test_the_json_schema_has_the_text_limits(tmp_path):
    result = scopekb("schema", "contract")
    validator = jsonschema.Draft202012Validator(json.loads(result.stdout))
    good = {"id": "CTR-1", "client": {"name": "Alpha"}, "signed": "2025-01-01", "services": ["incident"],
            "scope": [], "public_notes": NOTES, "internal_notes": NOTES}
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors({**good, "public_notes": NOTES + "y"}))
    assert list(validator.iter_errors({**good, "client": {"name": NAME + "n"}}))


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    padding = "# " + "p" * 98 + "\n"
    text = BASE + padding * (MAX_FILE_BYTES // len(padding) + 1)
    assert len(text.encode()) > MAX_FILE_BYTES
    expected = [f"{C}:1: document: file of {len(text.encode())} bytes is too large "
                "(expected a file of at most 16777216 bytes)"]
    assert_refused_by_validate_and_build(tmp_path, {"c.yaml": text}, expected)
    root = tmp_path / "kb"

    compose, parse = yaml.compose, yaml.parse

    def unread(real):
        def run(text, *args, **kwargs):
            assert len(text) < MAX_FILE_BYTES // 2, "a file over the limit was parsed"
            return real(text, *args, **kwargs)
        return run

    monkeypatch.setattr(yaml, "compose", unread(compose))
    monkeypatch.setattr(yaml, "parse", unread(parse))
    with pytest.raises(InputError) as raised:
        load.load_knowledge_base(root, use_cache=False)
    assert raised.value.messages == expected


def test_a_file_of_too_many_values_is_refused_before_it_is_composed(tmp_path, monkeypatch):
    """4 MB of `[x,x,x...`: libyaml would build 2 million nodes (about a gigabyte) before any check."""
    count = MAX_VALUES + 10
    text = BASE + "public_notes: [" + ",".join(["x"] * count) + "]\n"
    expected = [f"{C}:7: document: more than 2000000 values: a contract holds at most 2000000 values "
                "(expected a contract of at most 2000000 values)"]
    assert_refused_by_validate_and_build(tmp_path, {"c.yaml": text}, expected)

    compose = yaml.compose

    def not_composed(text, *args, **kwargs):
        assert len(text) < 1_000_000, "a file of too many values was composed"
        return compose(text, *args, **kwargs)

    monkeypatch.setattr(yaml, "compose", not_composed)
    with pytest.raises(InputError) as raised:
        load.load_knowledge_base(tmp_path / "kb", use_cache=False)
    assert raised.value.messages == expected


def test_too_many_values_with_aliases_says_they_may_be_expanding(monkeypatch):
    monkeypatch.setattr(validate, "MAX_VALUES", 60)
    text = BASE + "equipment:\n  items:\n" + "".join(f"    - {{id: A-{i}, category: printers}}\n" for i in range(5))
    assert validate.contract_from_node(load.parse_yaml(text.encode(), C), C).id == "CTR-1"  # 48 values
    many = text + "".join(f"    - {{id: A-{i}, category: printers}}\n" for i in range(5, 10))
    assert validate.contract_from_node(load.parse_yaml(many.encode(), C), C) == [
        f"{C}:16: document: more than 60 values: a contract holds at most 60 values "
        "(expected a contract of at most 60 values)"]
    aliased = BASE.replace("level: n1}", "level: n1, items: &i [a, b, c, d, e, f, g, h, i, j]}") + (
        "  - {category: office, level: n1, items: *i}\n" * 4)
    assert validate.contract_from_node(load.parse_yaml(aliased.encode(), C), C) == [
        f"{C}:6: document: more than 60 values: a contract holds at most 60 values, and aliases may be expanding "
        "(expected a contract of at most 60 values)"]


def test_an_alias_bomb_stops_at_the_repeated_values_limit_and_a_shared_list_does_not():
    items = ",".join(["x"] * 1000)
    bomb = BASE.replace("scope:\n  - {category: printers, level: n1}\n",
                        f"scope: [&e {{category: printers, level: n1, items: [{items}]}}, " + ",".join(["*e"] * 1000)
                        + "]\n")
    assert validate.contract_from_node(load.parse_yaml(bomb.encode(), C), C) == [
        f"{C}:5: document: aliases repeat more than {MAX_REPEATED_VALUES} values: the aliases of a contract may "
        "repeat at most 100000 values in all (expected aliases of small parts, or the values written out)"]
    shared = BASE.replace("level: n1}", "level: n1, items: &i [" + ",".join(f"item {i}" for i in range(50)) + "]}")
    shared += "  - {category: office, level: n1, items: *i}\n" * 3
    assert validate.contract_from_node(load.parse_yaml(shared.encode(), C), C).scope[3].items[49] == "item 49"


def test_a_shared_date_written_once_and_aliased_40000_times_is_valid(tmp_path):
    """yaml.dump writes a date shared by many assets once, with an alias at each: no alias bomb."""
    text = assets(40_000).replace("acquired: 2023-06-01", "acquired: *d").replace(
        "acquired: *d", "acquired: &d 2023-06-01", 1)
    assert text.count("*d") == 39_999
    assert validate.contract_from_node(load.parse_yaml(text.encode(), C), C).equipment[-1].acquired.year == 2023


def test_a_file_shows_its_first_100_errors_then_counts_the_others(tmp_path):
    root = make_kb(tmp_path, {"c.yaml": BASE.replace("scope:\n  - {category: printers, level: n1}\n",
                                                     "scope:\n" + "  - x\n" * 150)})
    result = scopekb("validate", "--root", str(root))
    lines = result.stderr.splitlines()
    assert (result.returncode, result.stdout, len(lines)) == (2, "", 101)
    assert lines[0] == (f"{C}:6: scope[0]: 'x' is not a mapping "
                        "(expected a mapping with keys category, level, team, items)")
    assert lines[99].startswith(f"{C}:105: scope[99]: 'x' is not a mapping")
    assert lines[100] == (f"{C}:106: document: 50 more errors not shown "
                          "(expected at most 100 errors shown per file: fix these, then check again)")


def test_files_are_checked_without_the_garbage_collector_which_is_then_as_it_was(tmp_path, monkeypatch):
    """It would rescan the nodes of a large contract as they are made: half the time of 40,000 assets."""
    import gc

    root = make_kb(tmp_path, {"c.yaml": BASE, "d.yaml": "id: [\n"})
    compose, walk = yaml.compose, validate._Walker.value
    seen = []

    def watched(real):
        def run(*args, **kwargs):
            seen.append(gc.isenabled())
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(yaml, "compose", watched(compose))
    monkeypatch.setattr(validate._Walker, "value", watched(walk))
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            seen.clear()
            with pytest.raises(InputError):
                load.load_knowledge_base(root, use_cache=False)
            assert seen and not any(seen)
            assert gc.isenabled() == enabled
        finally:
            gc.enable()
