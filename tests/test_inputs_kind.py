"""`scopekb check --kind` and `--lang` ignore case and surrounding spaces: `--kind Installation` is the
kind installation, not bad input."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kb_builder import PROVIDER

CONTRACT = """\
id: CTR-1
client: {name: Alpha}
signed: 2025-01-01
services: [incident, installation]
remote_installation: true
scope:
  - {category: office, level: n1}
"""


def scopekb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["scopekb", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kb")
    (root / "contracts").mkdir()
    (root / "contracts" / "provider.yaml").write_text(PROVIDER, encoding="utf-8")
    (root / "contracts" / "c.yaml").write_text(CONTRACT, encoding="utf-8")
    return root


def verdict(root: Path, *args: str) -> dict:
    result = scopekb("check", "Alpha", "--item", "excel", "--date", "2025-06-01", "--json", "--root", str(root),
                     *args)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("kind", ["Installation", "INSTALLATION", " installation ", "InStAlLaTiOn\t"])
def test_kind_is_compared_without_case_or_spaces(root, kind):
    assert verdict(root, "--kind", kind) == verdict(root, "--kind", "installation")
    assert verdict(root, "--kind", kind)["reasons"][0]["code"] == "in-scope"


@pytest.mark.parametrize("lang", ["EN", " en", "En"])
def test_lang_is_compared_without_case_or_spaces(root, lang):
    assert verdict(root, "--lang", lang) == verdict(root, "--lang", "en")
    assert verdict(root, "--lang", lang) != verdict(root, "--lang", "fr")


def test_an_unknown_kind_is_still_refused_as_given(root):
    result = scopekb("check", "Alpha", "--kind", "Repair", "--root", str(root))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("command line: --kind: 'Repair' is not a request kind "
                             "(expected one of incident, installation, information, change)\n")


def test_render_lang_is_compared_without_case_or_spaces(tmp_path):
    root = tmp_path / "kb"
    assert scopekb("init", str(root)).returncode == 0
    for lang, out in (("en", "plain"), (" EN", "shouted")):
        result = scopekb("render", "--root", str(root), "--out", str(tmp_path / out), "--lang", lang)
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
    plain = sorted(p.relative_to(tmp_path / "plain") for p in (tmp_path / "plain").rglob("*.md"))
    assert plain
    for rel in plain:
        assert (tmp_path / "shouted" / rel).read_bytes() == (tmp_path / "plain" / rel).read_bytes()
