"""The `check` sessions shown in README.md and docs/coverage.md are what `scopekb check` prints.

Each ```console block is run command by command on the repository's example data (at a date when its
contracts are in force); every line shown after a command, but for "…", is a line of its output.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DAY = "2026-06-01"  # the example's contracts in force


def sessions(document: str) -> list[tuple[str, list[str]]]:
    """(command, lines shown after it) of the console blocks of `document`."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", (REPO / document).read_text(encoding="utf-8"), re.S):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *shown = part.rstrip("\n").split("\n")
            found.append((command, [line for line in shown if line != "…"]))
    return found


@pytest.mark.parametrize("document", ["README.md", "docs/coverage.md"])
def test_the_check_sessions_shown_are_what_check_prints(document):
    shown = sessions(document)
    assert any("berard" == shlex.split(c)[2] for c, _ in shown), "the uncertain name is shown"
    for command, lines in shown:
        args = shlex.split(command)
        assert args[:2] == ["scopekb", "check"], command
        done = subprocess.run([sys.executable, "-c", "from scopekb.cli import main; main()", *args[1:],
                               "--date", DAY, "--root", str(REPO)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        printed = done.stdout.splitlines()
        assert [line for line in lines if line not in printed] == [], (command, done.stdout)


def test_what_security_md_says_is_proved_names_tests_that_exist():
    """SECURITY.md cites the tests that prove each guarantee: each file it names is there, and holds tests."""
    named = re.findall(r"`(tests/[\w/]+\.py)`", (REPO / "SECURITY.md").read_text(encoding="utf-8"))
    assert len(named) >= 8, named
    for path in named:
        assert re.search(r"^def test_", (REPO / path).read_text(encoding="utf-8"), re.M), path
