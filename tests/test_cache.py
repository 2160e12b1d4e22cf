"""The contract cache of scopekb.load never answers from stale data.

Files written by a test are fresh, and load does not cache a file changed less
than RACY_NS ago; the `aged` fixture moves load's clock forward so that they
are cached, as they would be a few seconds later.
"""
from __future__ import annotations

import dataclasses
import os
import pickle
import stat
import subprocess
import time
from pathlib import Path

import pytest

from kb_builder import write_kb
from scopekb.kb import cache, load
from scopekb.kb import validate
from scopekb.errors import InputError
from scopekb.kb.cache import FILES_CACHE, SNAPSHOT_CACHE
from scopekb.kb.load import load_knowledge_base

ALPHA = """\
id: CTR-1
client: {name: Alpha}
signed: 2025-01-01
services: [incident]
scope: [{category: printers, level: n1}]
"""
BETA = ALPHA.replace("CTR-1", "CTR-2").replace("Alpha", "Beta")


@pytest.fixture
def aged(monkeypatch):
    real = time.time_ns
    monkeypatch.setattr(cache, "time_ns", lambda: real() + 10 * cache.RACY_NS)


@pytest.fixture
def root(tmp_path) -> Path:
    return write_kb(tmp_path / "kb", {"alpha.yaml": ALPHA, "beta.yaml": BETA})


def names(root: Path) -> dict[str, str]:
    kb = load_knowledge_base(root)
    return {c.id: c.client_name for c in kb.contracts}


def cached_files(root: Path) -> set[str]:
    with open(root / FILES_CACHE, "rb") as fh:
        return set(pickle.load(fh)["data"])


def served_from_cache(monkeypatch):
    """From now on, reading any file fails the test: answers must come from the cache."""
    def no_reading(*args):
        raise AssertionError(f"read {args[1]} although it is cached")
    monkeypatch.setattr(load, "_check_file", no_reading)


def rewrite_keeping_size_and_mtime(path: Path, old: str, new: str) -> None:
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    time.sleep(0.05)  # past the file system's clock tick, so that the change gets a new ctime
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def test_the_cache_answers_for_unchanged_files(root, aged, monkeypatch):
    assert names(root) == {"CTR-1": "Alpha", "CTR-2": "Beta"}
    assert cached_files(root) == {"contracts/provider.yaml", "contracts/alpha.yaml", "contracts/beta.yaml"}
    served_from_cache(monkeypatch)
    assert names(root) == {"CTR-1": "Alpha", "CTR-2": "Beta"}


def test_an_unchanged_tree_is_answered_without_reading_or_checking(root, aged, monkeypatch):
    first = load_knowledge_base(root)
    served_from_cache(monkeypatch)

    def no_assembling(*args):
        raise AssertionError("assembled although no file changed")
    monkeypatch.setattr(validate, "assemble", no_assembling)
    assert load_knowledge_base(root) == first


def test_a_cached_check_opens_only_the_client_it_concerns(root, aged):
    load_knowledge_base(root)
    kb = load_knowledge_base(root)
    assert isinstance(kb.clients, cache.ClientShelf) and list(kb.clients) == ["alpha", "beta"]
    assert kb.find_client("Beta").contracts[0].id == "CTR-2"
    assert set(kb.clients.opened) == {"beta"}
    # Pickled (a build sends it to its second process while it opens clients): the blobs, nothing opened.
    copy = pickle.loads(pickle.dumps(kb))
    assert copy.clients.opened == {} and copy.clients.blobs == kb.clients.blobs
    assert copy.clients["alpha"] == kb.clients["alpha"] and copy == kb


def test_a_renamed_file_is_seen(root, aged):
    load_knowledge_base(root)
    (root / "contracts/beta.yaml").rename(root / "contracts/gamma.yaml")
    sources = {c.id: c.source for c in load_knowledge_base(root).contracts}
    assert sources == {"CTR-1": "contracts/alpha.yaml", "CTR-2": "contracts/gamma.yaml"}


def test_an_edit_of_the_same_size_with_the_mtime_restored_is_seen(root, aged):
    assert names(root)["CTR-1"] == "Alpha"
    rewrite_keeping_size_and_mtime(root / "contracts/alpha.yaml", "Alpha", "Omega")
    assert names(root)["CTR-1"] == "Omega"
    assert names(root)["CTR-1"] == "Omega"  # and the cache now holds the new content


def test_a_file_replaced_by_another_of_the_same_size_and_mtime_is_seen(root, aged):
    path = root / "contracts/alpha.yaml"
    assert names(root)["CTR-1"] == "Alpha"
    before = path.stat()
    other = path.with_name("alpha.tmp")
    other.write_text(ALPHA.replace("Alpha", "Gamma"), encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)
    assert names(root)["CTR-1"] == "Gamma"


def test_a_deleted_file_is_gone(root, aged):
    assert set(names(root)) == {"CTR-1", "CTR-2"}
    (root / "contracts/beta.yaml").unlink()
    assert set(names(root)) == {"CTR-1"}
    assert "contracts/beta.yaml" not in cached_files(root)


def test_an_added_file_is_seen(root, aged):
    assert set(names(root)) == {"CTR-1", "CTR-2"}
    (root / "contracts/more").mkdir()
    (root / "contracts/more/gamma.yml").write_text(ALPHA.replace("CTR-1", "CTR-3"), encoding="utf-8")
    assert set(names(root)) == {"CTR-1", "CTR-2", "CTR-3"}


def test_an_edited_provider_is_seen(root, aged):
    load_knowledge_base(root)
    rewrite_keeping_size_and_mtime(root / "contracts/provider.yaml", "Support Manager", "Support Managex")
    assert load_knowledge_base(root).provider.teams["boss"].name == "Support Managex"


def test_errors_are_reported_on_every_run(root, aged):
    (root / "contracts/bad.yaml").write_text(ALPHA.replace("CTR-1", "CTR-9").replace("2025-01-01", "2025-02-30"))
    for _ in range(2):
        with pytest.raises(InputError) as raised:
            load_knowledge_base(root)
        assert raised.value.messages == [
            "contracts/bad.yaml:3: signed: '2025-02-30' is no such day (expected a real date YYYY-MM-DD)"]


def test_checks_across_files_run_on_every_load(root, aged):
    load_knowledge_base(root)
    (root / "contracts/copy.yaml").write_text(ALPHA.replace("Alpha", "Delta"), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_knowledge_base(root)
    assert raised.value.messages == ["contracts/copy.yaml:1: id: 'CTR-1' is also the id of contracts/alpha.yaml "
                                     "(expected an id unique across contracts/)"]
    (root / "contracts/copy.yaml").unlink()
    assert set(names(root)) == {"CTR-1", "CTR-2"}


@pytest.mark.parametrize("garbage", [b"", b"not a pickle at all", b"\x80\x05\x95", pickle.dumps([1, 2, 3]),
                                     pickle.dumps({"version": None})])
def test_a_corrupt_cache_is_rebuilt_silently(root, aged, garbage):
    load_knowledge_base(root)
    (root / FILES_CACHE).write_bytes(garbage)
    (root / SNAPSHOT_CACHE).write_bytes(garbage)
    assert names(root) == {"CTR-1": "Alpha", "CTR-2": "Beta"}
    assert cached_files(root) == {"contracts/provider.yaml", "contracts/alpha.yaml", "contracts/beta.yaml"}


def test_a_cache_from_another_scopekb_version_is_ignored(root, aged, monkeypatch):
    load_knowledge_base(root)
    # plant a wrong answer for an unchanged file: the same version trusts it...
    with open(root / FILES_CACHE, "rb") as fh:
        stored = pickle.load(fh)
    sig, contract = stored["data"]["contracts/alpha.yaml"]
    stored["data"]["contracts/alpha.yaml"] = (sig, dataclasses.replace(contract, client_name="Planted"))
    (root / FILES_CACHE).write_bytes(pickle.dumps(stored))
    (root / SNAPSHOT_CACHE).unlink()  # (else the whole knowledge base of the last load answers)
    assert names(root)["CTR-1"] == "Planted"
    # ...another version does not
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    assert names(root)["CTR-1"] == "Alpha"


def test_no_cache_where_it_cannot_be_written(root, aged):
    (root / ".scopekb-cache").write_text("a file where the cache folder would be")
    assert names(root) == {"CTR-1": "Alpha", "CTR-2": "Beta"}
    assert names(root) == {"CTR-1": "Alpha", "CTR-2": "Beta"}


def test_a_read_only_tree_still_works(root):
    modes = {}
    for path in [root, *root.rglob("*")]:
        modes[path] = path.stat().st_mode
        path.chmod(stat.S_IMODE(modes[path]) & ~0o222)
    try:
        result = subprocess.run(["scopekb", "check", "Alpha", "--item", "printer", "--json", "--root", str(root)],
                                capture_output=True, text=True)
        assert (result.returncode, result.stderr) == (0, "")
        assert '"verdict": "handle"' in result.stdout
    finally:
        for path, mode in modes.items():
            path.chmod(stat.S_IMODE(mode))


def test_the_command_uses_the_cache_and_sees_edits(root):
    def check() -> str:
        out = subprocess.run(["scopekb", "check", "Alpha", "--item", "printer", "--json", "--root", str(root)],
                             capture_output=True, text=True)
        assert (out.returncode, out.stderr) == (0, "")
        return out.stdout

    time.sleep(cache.RACY_NS / 1e9 + 0.1)  # until the files are old enough to be cached
    assert '"team": "helpdesk"' in check()
    assert cached_files(root) == {"contracts/provider.yaml", "contracts/alpha.yaml", "contracts/beta.yaml"}
    rewrite_keeping_size_and_mtime(root / "contracts/provider.yaml", "Helpdesk N1", "Hotline 24h")
    out = subprocess.run(["scopekb", "check", "Alpha", "--item", "printer", "--root", str(root)],
                         capture_output=True, text=True).stdout
    assert "Hotline 24h" in out.splitlines()[0]


def coarse_signature(path: Path) -> tuple[int, int, int, int]:
    """The signature a file system with one-second timestamps would give."""
    st = path.stat()
    return (st.st_size, st.st_mtime_ns // 10**9 * 10**9, st.st_ctime_ns // 10**9 * 10**9, st.st_ino)


def start_of_a_second() -> None:
    time.sleep(1.02 - time.time() % 1)


def two_writes_within_one_tick(root: Path, monkeypatch) -> str:
    """Read a contract, rewrite it within the same one-second tick (mtime put back); the name loaded then."""
    monkeypatch.setattr(cache, "_signature", coarse_signature)
    path = root / "contracts/alpha.yaml"
    start_of_a_second()
    path.write_text(ALPHA.replace("Alpha", "First"), encoding="utf-8")
    assert names(root)["CTR-1"] == "First"
    before = path.stat()
    path.write_text(ALPHA.replace("Alpha", "Other"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return names(root)["CTR-1"]


def test_two_changes_within_one_clock_tick_are_not_confused(root, monkeypatch):
    # Without the racy-file rule, a file read and then changed again within one tick keeps its
    # signature; this test plays that on a simulated file system with one-second timestamps.
    assert two_writes_within_one_tick(root, monkeypatch) == "Other"


def test_the_racy_rule_is_what_makes_that_right(root, monkeypatch):
    # the same scene with the rule switched off does answer from stale data
    monkeypatch.setattr(cache, "RACY_NS", -10**12)
    assert two_writes_within_one_tick(root, monkeypatch) == "First"


def test_contracts_checked_elsewhere_give_the_same_knowledge_base_and_errors(tmp_path, monkeypatch):
    """With many contracts to check, the last third go to `check_elsewhere` (the build's second process)."""
    monkeypatch.setattr(load, "SHARED_CHECKS", 3)
    contracts = {f"c{n}.yaml": ALPHA.replace("CTR-1", f"CTR-{n}").replace("Alpha", f"Client {n}") for n in range(6)}
    contracts["c4.yaml"] = contracts["c4.yaml"].replace("level: n1", "level: n9")  # one bad file among theirs
    asked: list[list[str]] = []

    def elsewhere(root, files):
        asked.append(files)
        return lambda: load.check_contract_files(root, files)

    errors = []
    for helper in (None, elsewhere, lambda root, files: dict):  # none, a real one, one that checked nothing
        root = write_kb(tmp_path / f"kb{len(errors)}", contracts)
        with pytest.raises(InputError) as raised:
            load_knowledge_base(root, check_elsewhere=helper)
        errors.append(raised.value.messages)
    assert errors[0] == errors[1] == errors[2] and "contracts/c4.yaml:" in errors[0][0]
    assert asked == [["contracts/c4.yaml", "contracts/c5.yaml"]]
    contracts["c4.yaml"] = contracts["c4.yaml"].replace("level: n9", "level: n1")
    root = write_kb(tmp_path / "good", contracts)
    plain = load_knowledge_base(root, use_cache=False)

    def marked(root, files):  # results that differ from the files: they must be the ones used
        return lambda: {rel: dataclasses.replace(result, client_name=f"{result.client_name} elsewhere")
                        for rel, result in load.check_contract_files(root, files).items()}
    kb = load_knowledge_base(root, check_elsewhere=marked)
    assert [c.client_name for c in kb.contracts][:4] == [c.client_name for c in plain.contracts][:4]
    assert [c.client_name for c in kb.contracts[4:]] == ["Client 4 elsewhere", "Client 5 elsewhere"]
