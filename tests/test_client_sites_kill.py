"""Kill-safe client sites: whatever stops `scopekb build`, every client site is a complete one.

Mirrors tests/test_publish_kill.py for site/clients/. A knowledge base of generated clients is built
in full twice, once with each of two provider files (the helpdesk's phone differs, so every site, the
technicians' and each client's, differs between the two): the two versions of every file are kept.
Then builds (with --zip) are started again and again, the provider file switched each time so that
every site must be built anew, and killed with SIGKILL or SIGTERM at moments spread over a whole
build (seeded), and every fourth one just after the first client site of the new version is
published, so that some kills surely land halfway through the client sites. After each kill: every published client site is, file for file and byte for byte,
one of the two versions whole, and so is every zip; the technicians' site is whole; the build's
processes are gone. Every sixth kill, a build runs to its end: nothing is left behind (no build
folder, link or temporary file in site/clients/ or the cache), and every site is of its inputs.
"""
from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from scopekb.publish.client_sites import MANIFEST

from test_publish_kill import ENV, _bench, files_of, published_problems, scopekb_command, survivors

CLIENTS = 40
KILLS = 24
SEED = 20261205
PHONES = ('phone: "01 84 25 60 00"', 'phone: "01 84 25 69 99"')


def build(root: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(scopekb_command("build", "--zip", *options, "--root", str(root)), cwd=root, env=ENV,
                          capture_output=True, text=True, timeout=300)


def use_version(root: Path, n: int) -> None:
    provider = root / "contracts" / "provider.yaml"
    text = provider.read_text(encoding="utf-8")
    provider.write_text(text.replace(PHONES[1 - n], PHONES[n]), encoding="utf-8")


def client_files(root: Path) -> dict[str, dict[str, bytes]]:
    """Each published client site's files (and its zip, as 'SLUG.zip'), by slug."""
    folder = root / "site" / "clients"
    found: dict[str, dict[str, bytes]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.name.endswith(".zip"):
            found.setdefault(entry.name[:-4], {})["SLUG.zip"] = entry.read_bytes()
            continue
        site = entry.resolve()
        found.setdefault(entry.name, {}).update(
            {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()})
    return found


def whole(found: dict[str, dict[str, bytes]], versions: list[dict[str, dict[str, bytes]]]) -> list[str]:
    """What is not one of the versions whole: each site (its files) and each zip, on its own."""
    problems = []
    for slug in versions[0]:
        files = found.get(slug, {})
        site = {path: data for path, data in files.items() if path != "SLUG.zip"}
        if not any(site == {p: d for p, d in v[slug].items() if p != "SLUG.zip"} for v in versions):
            problems.append(f"site {slug}: not a version whole ({len(site)} files)")
        if not any(files.get("SLUG.zip") == v[slug]["SLUG.zip"] for v in versions):
            problems.append(f"zip {slug}: not a version whole")
    problems += [f"extra {slug}" for slug in found.keys() - versions[0].keys()]
    return problems


def wait_for_a_published_site(root: Path, since: float, process: subprocess.Popen) -> None:
    """Until a client site's link in site/clients/ is newer than `since` (or the build ended)."""
    folder = root / "site" / "clients"
    def newer(entry: Path) -> bool:
        try:
            return entry.is_symlink() and entry.lstat().st_mtime > since
        except FileNotFoundError:  # a temporary link, replaced meanwhile
            return False

    while process.poll() is None:
        if any(newer(entry) for entry in folder.iterdir()):
            return
        time.sleep(0.002)


def leftovers(root: Path) -> list[str]:
    folder = root / "site" / "clients"
    extra = [p.name for p in folder.iterdir() if p.name.startswith(".")
             and not any(link.is_symlink() and link.resolve() == p for link in folder.iterdir())]
    cache = root / ".scopekb-cache"
    extra += [p.relative_to(root).as_posix() for p in cache.iterdir()
              if p.name.startswith(".") and not ((cache / "client-assets").resolve() == p)]
    return sorted(extra)


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kill-clients") / "kb"
    _bench().make_knowledge_base(root, CLIENTS)
    return root


def test_a_killed_build_leaves_every_client_site_whole_and_nothing_behind(knowledge_base):
    root = knowledge_base
    versions, internal = [], []
    durations = []
    for n in (0, 1, 0, 1):  # both versions built in full, twice: the second time with the caches of the first
        use_version(root, n)
        started = time.monotonic()
        done = build(root)
        durations.append(time.monotonic() - started)
        assert done.returncode == 0, done.stderr
        if len(versions) < 2:
            versions.append(client_files(root))
            internal.append(files_of(root / "site" / "internal"))
    duration = max(durations[2:])
    assert len(versions[0]) == CLIENTS and versions[0].keys() == versions[1].keys()
    differ = [slug for slug in versions[0] if versions[0][slug]["index.html"] != versions[1][slug]["index.html"]]
    assert len(differ) == CLIENTS  # every site is built again when the version changes
    assert internal[0] == internal[1]  # same sizes: the phones have as many characters
    clients = sorted(p.stem for p in (root / "site" / "internal" / "clients").iterdir())

    rnd = random.Random(SEED)
    moments = [(n + rnd.random()) / KILLS * duration for n in range(KILLS)]
    rnd.shuffle(moments)
    outcomes, version, mixed = [], 1, 0
    for n, moment in enumerate(moments):
        version = 1 - version
        use_version(root, version)
        sent = signal.SIGKILL if n % 2 else signal.SIGTERM
        with open(root / "stderr.txt", "w+b") as errors:
            started = time.time()
            process = subprocess.Popen(scopekb_command("build", "--zip", "--root", str(root)), cwd=root, env=ENV,
                                       stdout=subprocess.DEVNULL, stderr=errors)
            if n % 4 == 3:
                wait_for_a_published_site(root, started, process)
                moment = time.time() - started
            else:
                time.sleep(moment)
            process.send_signal(sent)
            status = process.wait(timeout=60)
            errors.seek(0)
            said = errors.read().decode(errors="replace")
        what = f"kill {n}: {sent.name} at {moment:.2f} s of {duration:.2f} s, exit status {status}"
        outcomes.append((sent, moment, status))
        assert status in (0, -sent, 128 + sent), f"{what}\n{said}"
        assert "Traceback" not in said, f"{what}\n{said}"
        assert survivors(root) == {}, what
        now = client_files(root)
        assert whole(now, versions) == [], what
        new = sum(1 for slug in versions[0] if now[slug]["index.html"] == versions[version][slug]["index.html"])
        mixed += 0 < new < CLIENTS  # killed while it built client sites: some new, some not yet
        assert published_problems(root, internal[0], clients) == [], what
        if n % 6 == 5:
            rebuilt = build(root)
            assert rebuilt.returncode == 0, f"after {what}\n{rebuilt.stderr}"
            assert leftovers(root) == [], f"after {what}"
            assert client_files(root) == versions[version], f"after {what}"
            assert (root / MANIFEST).is_file()
    killed = [(sent, moment) for sent, moment, status in outcomes if status != 0]
    assert {sent for sent, _ in killed} == {signal.SIGKILL, signal.SIGTERM}
    assert len(killed) >= KILLS // 2
    assert min(m for _, m in killed) < duration / 4 and max(m for _, m in killed) > duration / 2
    assert mixed >= 3, mixed  # and some of them stopped it halfway through the client sites


def test_a_failed_client_build_leaves_the_previous_sites_unchanged(knowledge_base):
    """A contract that does not parse stops the build before anything is written."""
    root = knowledge_base
    assert build(root).returncode == 0
    before = client_files(root)
    broken = sorted((root / "contracts").glob("client-*.yaml"))[0]
    text = broken.read_bytes()
    broken.write_bytes(text.replace(b"scope:", b"scope: [", 1))
    try:
        result = build(root, "--client", "nobody-at-all")
        assert result.returncode == 2 and broken.name in result.stderr and "Traceback" not in result.stderr
        assert client_files(root) == before and leftovers(root) == []
    finally:
        broken.write_bytes(text)
