"""The project's promises about itself: README commands, CI, scaffold, schemas."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(*args, cwd=None):
    return subprocess.run(["scopekb", *args],
                          capture_output=True, text=True, cwd=cwd)


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.S)[:2]]


def test_readme_starts_with_the_two_commands():
    build, test = readme_commands()
    assert "pip install" in build and "scopekb build" in build
    assert "pip install" in test and "pytest" in test and "chromium" in test


def test_ci_runs_exactly_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_init_creates_a_folder_that_validates(tmp_path):
    kb = tmp_path / "kb"
    created = run("init", str(kb))
    assert created.returncode == 0, created.stderr
    checked = run("validate", "--root", str(kb))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("ok — contrats : 1, clients : 1")  # the scaffold is French
    for rel in ("mkdocs.yml", "contracts/provider.yaml", "content/articles/exemple.md",
                "schema/contract.schema.json", "schema/provider.schema.json"):
        assert (kb / rel).is_file(), rel


def test_init_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = run("init", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == f"command line: DIRECTORY: {tmp_path} exists and is not empty (expected a new or empty folder)\n"
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_committed_schemas_are_what_scopekb_schema_prints():
    for kind in ("provider", "contract"):
        printed = run("schema", kind)
        assert printed.returncode == 0
        committed = (REPO / "schema" / f"{kind}.schema.json").read_text(encoding="utf-8")
        assert printed.stdout == committed
        assert json.loads(committed)["additionalProperties"] is False


def test_every_example_file_points_editors_to_its_schema():
    for path in sorted((REPO / "contracts").rglob("*.yaml")):
        kind = "provider" if path.name == "provider.yaml" else "contract"
        depth = len(path.relative_to(REPO / "contracts").parts)
        expected = f"# yaml-language-server: $schema={'../' * depth}schema/{kind}.schema.json"
        assert path.read_text(encoding="utf-8").splitlines()[0] == expected, path


def test_every_command_has_help_with_examples():
    for command in ("check", "validate", "schema", "init", "build", "serve", "render"):
        result = run(command, "--help")
        assert result.returncode == 0, command
        assert "Examples:" in result.stdout, command
