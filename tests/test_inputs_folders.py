"""No contract is left out without a word: folders linked into contracts/ are read, loops end, and a folder
that cannot be listed is an error line naming it (exit 2), for validate, check and build alike."""
from __future__ import annotations

import ctypes
import os
import subprocess
from pathlib import Path

import pytest

from kb_builder import PROVIDER
from scopekb.errors import InputError
from scopekb.kb import load

ALPHA = """\
id: CTR-1
client: {name: Alpha}
signed: 2025-01-01
services: [incident]
scope:
  - {category: printers, level: n1}
"""
BETA = ALPHA.replace("CTR-1", "CTR-2").replace("Alpha", "Beta")


def scopekb(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(["scopekb", *args], capture_output=True, text=True, timeout=120, **options)


def make_kb(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"contracts/provider.yaml": PROVIDER, **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def verdict_of(root: Path, client: str) -> str:
    result = scopekb("check", client, "--item", "printer", "--date", "2025-06-01", "--json", "--root", str(root))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return result.stdout


def test_a_contract_in_a_linked_folder_is_read(tmp_path):
    root = make_kb(tmp_path / "kb", {"contracts/a.yaml": ALPHA})
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    (elsewhere / "beta.yaml").write_text(BETA, encoding="utf-8")
    (root / "contracts" / "linked").symlink_to(elsewhere, target_is_directory=True)
    assert load.contract_files(root) == ["contracts/a.yaml", "contracts/linked/beta.yaml"]
    result = scopekb("validate", "--root", str(root))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("ok — contrats : 2, clients : 2,")
    assert '"verdict": "handle", "client": "beta", "contract": "CTR-2"' in verdict_of(root, "Beta")


def test_a_linked_contract_file_is_read(tmp_path):
    root = make_kb(tmp_path / "kb", {})
    (tmp_path / "alpha.yaml").write_text(ALPHA, encoding="utf-8")
    (root / "contracts" / "alpha.yaml").symlink_to(tmp_path / "alpha.yaml")
    assert '"verdict": "handle", "client": "alpha"' in verdict_of(root, "Alpha")


def test_links_back_to_an_ancestor_and_twice_to_one_folder_visit_each_folder_once(tmp_path):
    root = make_kb(tmp_path / "kb", {"contracts/a.yaml": ALPHA, "contracts/sub/b.yaml": BETA})
    (root / "contracts" / "sub" / "up").symlink_to("..", target_is_directory=True)  # a loop
    (root / "contracts" / "sub" / "here").symlink_to(".", target_is_directory=True)  # a loop too
    (root / "contracts" / "again").symlink_to("sub", target_is_directory=True)  # sub a second time
    (root / "contracts" / "outside").symlink_to(tmp_path, target_is_directory=True)  # holds kb/contracts
    assert load.contract_files(root) == ["contracts/a.yaml", "contracts/again/b.yaml"]
    result = scopekb("validate", "--root", str(root))
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "ok — contrats : 2, clients : 2, catégories : 6, équipes : 6, articles : 0\n", "")


def test_a_folder_that_cannot_be_listed_is_an_error_line(tmp_path, monkeypatch):
    """In process: listing contracts/sub fails as it would without permission (root may read any folder)."""
    root = make_kb(tmp_path / "kb", {"contracts/a.yaml": ALPHA, "contracts/sub/b.yaml": BETA,
                                     "contracts/sub/deeper/c.yaml": BETA})
    real_scandir = os.scandir
    refused = root / "contracts" / "sub"

    def scandir(path):
        if Path(path) == refused:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    expected = ["contracts/sub:1: document: cannot be read: Permission denied (expected a readable folder)"]
    with pytest.raises(InputError) as raised:
        load.load_knowledge_base(root, use_cache=False)
    assert raised.value.messages == expected
    with pytest.raises(InputError) as raised:
        load.contract_files(root)
    assert raised.value.messages == expected
    problems: list[str] = []
    assert load.contract_files(root, problems) == ["contracts/a.yaml"]
    assert problems == expected


def _without_root_powers() -> None:
    """In the child: drop the capabilities that let root read any folder (CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH) from the bounding set, so that the program it runs has them no more."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _can_be_denied(folder: Path) -> bool:
    probe = subprocess.run(["ls", str(folder)], capture_output=True, preexec_fn=_without_root_powers
                           if os.geteuid() == 0 else None)
    return probe.returncode != 0


@pytest.mark.parametrize("command", [["validate"], ["check", "Alpha", "--item", "printer"], ["build"]])
def test_a_folder_without_read_permission_is_an_error_line(tmp_path, command):
    """Through the real command, with real permissions (as root: without the capabilities that bypass them)."""
    root = tmp_path / "kb"
    assert scopekb("init", str(root)).returncode == 0  # mkdocs.yml and content/, for build
    for scaffolded in (root / "contracts").glob("*.yaml"):
        scaffolded.unlink()
    make_kb(root, {"contracts/a.yaml": ALPHA, "contracts/sub/b.yaml": BETA})
    locked = root / "contracts" / "sub"
    locked.chmod(0)
    try:
        try:
            deniable = _can_be_denied(locked)
        except OSError:
            deniable = False
        if not deniable:
            # CI runs as root on a machine where dropping the capabilities works: there the test must run.
            if os.environ.get("CI"):
                pytest.fail("CI: this process cannot give up its right to read any folder")
            pytest.skip("this process cannot give up its right to read any folder")
        result = scopekb(*command, "--root", str(root),
                         preexec_fn=_without_root_powers if os.geteuid() == 0 else None)
    finally:
        locked.chmod(0o755)
    errors = [line for line in result.stderr.splitlines() if line != "chargement des contrats"]  # build's progress
    assert (result.returncode, result.stdout, errors) == (
        2, "", ["contracts/sub:1: document: cannot be read: Permission denied (expected a readable folder)"])
    assert not (root / "site").exists()
