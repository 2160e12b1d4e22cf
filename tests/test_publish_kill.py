"""Kill-safe publishing: whatever stops `scopekb build`, site/internal is a complete site.

A knowledge base of generated clients (bench/site_build.py) is built once in
full; then `scopekb build` is started again and again and killed, with SIGKILL
or SIGTERM, at moments spread over the whole length of a build (seeded, so a
failure can be replayed). After each kill the published site must be a whole
one, the build's second process must be gone with the first, and the next
successful build must leave nothing behind: no build folder but the published
one, no stray link, no half-written cache file.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
CLIENTS = 200  # a build of about 1 s, most of it writing pages: kills land in every stage of it
KILLS = 24
SEED = 20261204


def _bench():
    spec = importlib.util.spec_from_file_location("site_build", REPO / "bench" / "site_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scopekb_command(*args: str) -> list[str]:
    """`scopekb ARGS`: the console script of this Python (not a shell shim, whose own start would take
    the first kills), else the same entry point through this Python."""
    script = Path(sys.executable).parent / "scopekb"
    if script.is_file():
        return [str(script), *args]
    return [sys.executable, "-c", "import sys; from scopekb.cli import main; sys.argv[0] = 'scopekb'; main()", *args]


def build(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(scopekb_command("build", "--root", str(root)), cwd=root, env=ENV,
                          capture_output=True, text=True, timeout=300)


def files_of(folder: Path) -> dict[str, int]:
    """Every file under `folder` (a link to a folder is followed), by path relative to it, with its size."""
    found = {}
    for top, _, names in os.walk(folder.resolve()):
        for name in names:
            path = Path(top) / name
            found[path.relative_to(folder.resolve()).as_posix()] = path.stat().st_size
    return found


def published_problems(root: Path, expected: dict[str, int], clients: list[str]) -> list[str]:
    """What is wrong with the published site: not a link to a folder, files missing or extra, a file
    that does not read whole."""
    site = root / "site" / "internal"
    if not site.is_symlink() or not site.resolve().is_dir():
        return [f"site/internal is not a link to a folder ({sorted(p.name for p in site.parent.iterdir())})"]
    found = files_of(site)
    problems = [f"missing {path}" for path in sorted(expected.keys() - found.keys())]
    problems += [f"extra {path}" for path in sorted(found.keys() - expected.keys())]
    problems += [f"empty {path}" for path, size in found.items() if size == 0]
    problems += [f"no page for client {slug}" for slug in clients if f"clients/{slug}.html" not in found]
    try:
        script = (site / "assets" / "scopekb" / "search-index.js").read_text(encoding="utf-8")
        json.loads(script[script.index("=") + 1:].rstrip().removesuffix(";"))
        sitemap = gzip.decompress((site / "sitemap.xml.gz").read_bytes())
        if sitemap != (site / "sitemap.xml").read_bytes():
            problems.append("sitemap.xml.gz is not sitemap.xml")
    except (OSError, ValueError, EOFError) as error:
        problems.append(f"unreadable: {error!r}")
    return problems


def leftovers(root: Path) -> list[str]:
    """Anything of earlier builds beside the published site, or temporary files in the cache. The client
    sites' folder, and what the cache publishes as a link to a folder beside it (the files client sites
    share), are no leftovers: tests/test_client_sites_kill.py checks them."""
    site = root / "site"
    link = site / "internal"
    extra = [p.name for p in site.iterdir() if p != link and not (link.is_symlink() and p == link.resolve())
             and p.name != "clients"]
    cache = root / ".scopekb-cache"
    published = {p.resolve() for p in cache.iterdir() if p.is_symlink()} if cache.is_dir() else set()
    extra += [p.relative_to(root).as_posix() for p in cache.rglob("*")
              if (p.name.startswith(".") or p.name.endswith(".tmp")) and p not in published
              and not published.intersection(p.parents)] if cache.is_dir() else []
    return sorted(extra)


def processes_in(folder: Path) -> dict[int, str]:
    """The live processes (zombies aside) whose working folder is `folder`, but this one: a build and its
    second process run there."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) != folder:
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if state not in ("Z", "X"):
            found[int(entry.name)] = command.strip()
    return found


def survivors(folder: Path, wait: float = 0.5) -> dict[int, str]:
    """The processes still working in `folder` once they had `wait` seconds to die."""
    deadline = time.monotonic() + wait
    while (alive := processes_in(folder)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return alive


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kill") / "kb"
    _bench().make_knowledge_base(root, CLIENTS)
    return root


def test_a_killed_build_leaves_the_previous_site_whole_and_nothing_behind(knowledge_base):
    root = knowledge_base
    first = build(root)
    assert first.returncode == 0, first.stderr
    durations = []
    for _ in range(3):  # with the caches of the first, as the builds killed below
        started = time.monotonic()
        again = build(root)
        durations.append(time.monotonic() - started)
        assert again.returncode == 0, again.stderr
    duration = sorted(durations)[1]  # the median: other work on the machine makes some builds slower
    expected = files_of(root / "site" / "internal")
    clients = sorted(p.stem for p in (root / "site" / "internal" / "clients").iterdir())
    assert len(clients) == CLIENTS and {"index.html", "404.html", "sitemap.xml", "sitemap.xml.gz",
                                        "assets/scopekb/search-index.js"} <= expected.keys()
    assert published_problems(root, expected, clients) == [] and leftovers(root) == []

    rnd = random.Random(SEED)
    # One moment in each of KILLS equal slices of the build, in a shuffled order; signals alternate.
    moments = [(n + rnd.random()) / KILLS * duration for n in range(KILLS)]
    rnd.shuffle(moments)
    outcomes = []
    for n, moment in enumerate(moments):
        sent = signal.SIGKILL if n % 2 else signal.SIGTERM
        with open(root / "stderr.txt", "w+b") as errors:
            process = subprocess.Popen(scopekb_command("build", "--root", str(root)), cwd=root, env=ENV,
                                       stdout=subprocess.DEVNULL, stderr=errors)
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
        assert published_problems(root, expected, clients) == [], what
        if os.environ.get("KILL_DEBUG"):
            print(what, "left:", leftovers(root), said.splitlines()[-1:])
        if n % 6 == 5:  # the next build cleans up after the kills before it
            rebuilt = build(root)
            assert rebuilt.returncode == 0, f"after {what}\n{rebuilt.stderr}"
            assert leftovers(root) == [], f"after {what}"
            assert survivors(root) == {}, f"after {what}"
            assert published_problems(root, expected, clients) == [], f"after {what}"
    # The kills did stop builds (some end before their kill: builds last more or less long), by both
    # signals, early and late.
    killed = [(sent, moment) for sent, moment, status in outcomes if status != 0]
    assert {sent for sent, _ in killed} == {signal.SIGKILL, signal.SIGTERM}
    assert len(killed) >= KILLS // 2
    assert min(m for _, m in killed) < duration / 4 and max(m for _, m in killed) > duration / 2


@pytest.mark.parametrize("breakage", ["contract", "article"])
def test_a_failed_build_leaves_the_previous_site_unchanged(knowledge_base, breakage):
    """A contract that does not parse stops the build before it writes anything; an article that is not
    UTF-8 stops MkDocs halfway through the pages, in the staging folder."""
    root = knowledge_base
    assert build(root).returncode == 0
    site = root / "site" / "internal"
    before = {path: (site / path).read_bytes() for path in files_of(site)}
    target = os.readlink(site)
    if breakage == "contract":
        broken = sorted((root / "contracts").glob("client-*.yaml"))[0]
        text = broken.read_bytes()
        broken.write_bytes(text.replace(b"scope:", b"scope: [", 1))  # YAML that does not parse
    else:
        broken, text = root / "content" / "articles" / "zz-latin1.md", None
        broken.write_bytes("# Imprimante\n\nBourrage papier réglé.\n".encode("latin-1"))
    try:
        result = build(root)
        assert result.returncode == 2, result.stderr
        assert broken.name in result.stderr and "Traceback" not in result.stderr
        assert os.readlink(site) == target
        assert {path: (site / path).read_bytes() for path in files_of(site)} == before
        assert leftovers(root) == [] and survivors(root) == {}
    finally:
        if text is None:
            broken.unlink()
        else:
            broken.write_bytes(text)
