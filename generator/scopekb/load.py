"""Read the knowledge base from disk: find the files, parse YAML, cache.

Parsing thousands of contracts takes seconds even with libyaml, so each
file's checked result is cached under `.scopekb-cache/`, keyed by the file's
size, mtime, ctime and inode. Any write to a file changes its ctime (which no
tool can set back), so a changed file is always read again; checks that span
files run on every load. Timestamps are only as fine as the file system's
clock (a few ms, or a whole second on some), so a file changed less than
RACY_NS ago is not cached: a second change within the same clock tick would
leave its signature as it was.
"""
from __future__ import annotations

import gc
import os
import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from time import time_ns
from typing import TYPE_CHECKING, Callable

from . import __version__
from .errors import InputError
from .model import Client, Contract, KnowledgeBase, Provider

if TYPE_CHECKING:
    import yaml

PROVIDER_FILE = "contracts/provider.yaml"
FILES_CACHE = ".scopekb-cache/files.pickle"
SNAPSHOT_CACHE = ".scopekb-cache/snapshot.pickle"
RACY_NS = 2_000_000_000  # more than the coarsest timestamp tick in common use (1 s)
SHARED_CHECKS = 100  # contracts to check from which a third of them go to another process, if one is offered
_KEY_ON_LINE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:")


def contract_files(root: Path) -> list[str]:
    """Every *.yaml and *.yml under contracts/, at any depth, but the provider file; root-relative."""
    found = []
    base = root / "contracts"
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel_folder = Path(folder).relative_to(root).as_posix()
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                rel = f"{rel_folder}/{name}"
                if rel != PROVIDER_FILE:
                    found.append(rel)
    return found


def parse_yaml(data: bytes, source: str) -> yaml.Node | None | list[str]:
    """The single document of `data` as a node tree (None if empty), or an error line.

    Composing only, with libyaml: no tag is ever constructed here, so
    `!!python/...` cannot run; validate rejects any non-standard tag.
    """
    import yaml  # here, not at the top: a load served from the cache parses nothing

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [f"{source}:{line}: document: not UTF-8 text (expected a YAML text file)"]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return [f"{source}:{line}: document: binary data (expected a YAML text file)"]
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is reported where the parser gave up (often the end of
        # the file); the line that opened it is the one to fix.
        unclosed = (exc.context or "").startswith(("while parsing a flow", "while scanning a quoted"))
        mark = (exc.context_mark if unclosed else None) or exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        lines = text.splitlines()
        found = _KEY_ON_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
        key = found.group(1) if found else "document"
        problem = (exc.problem or exc.context or "invalid YAML").replace("\t", "\\t").rstrip()
        tabbed = 0 < line <= len(lines) and "\t" in lines[line - 1]
        expected = "spaces, not tabs, to indent" if tabbed else "valid YAML"
        return [f"{source}:{line}: {key}: YAML syntax error: {problem} (expected {expected})"]
    except yaml.YAMLError as exc:
        return [f"{source}:1: document: YAML error: {str(exc).splitlines()[0]} (expected valid YAML)"]


def _check_file(root: Path, rel: str, from_node):
    parsed = parse_yaml((root / rel).read_bytes(), rel)
    if isinstance(parsed, list):
        return parsed
    try:
        return from_node(parsed, rel)
    except RecursionError:
        return [f"{rel}:1: document: nested too deeply (recursive alias?) (expected a contract of ordinary shape)"]


def _signature(path: Path) -> tuple[int, int, int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _unpickle(fh):
    """pickle.load without the garbage collector, which would rescan the heap many times over
    while tens of thousands of records are created (a third of the time of a cached load).
    The records live as long as the process: frozen, later collections skip them too."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(fh)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _record_format() -> tuple:
    """The version and the shape of the cached records: a cache of any other is not read."""
    from dataclasses import fields

    from . import model
    records = (model.Team, model.Category, model.Provider, model.ScopeEntry, model.Asset, model.Contract,
               model.Client, model.KnowledgeBase)
    return (__version__,) + tuple((cls.__name__, tuple(f.name for f in fields(cls))) for cls in records)


class ClientShelf(Mapping):
    """Clients by slug, each unpickled the first time it is asked for.

    A check concerns one client: a cached knowledge base of thousands of
    contracts need not be rebuilt in memory to answer it.
    """

    def __init__(self, blobs: dict[str, bytes]):
        self.blobs = blobs  # in the knowledge base's client order
        self.opened: dict[str, Client] = {}

    def __getitem__(self, slug: str) -> Client:
        client = self.opened.get(slug)
        if client is None:
            client = self.opened[slug] = pickle.loads(self.blobs[slug])
        return client

    def __iter__(self):
        return iter(self.blobs)

    def __len__(self) -> int:
        return len(self.blobs)

    def __reduce__(self):
        # The blobs only: the clients opened here stay here. Pickling `opened` while another thread
        # opens a client (a build sends the knowledge base to its second process as it renders pages)
        # would fail on a dictionary changing size; the blobs never change.
        return ClientShelf, (self.blobs,)


class _Cache:
    """Two files: per-file results keyed by file signature, and the last good load.

    When no file was added, removed or changed since a load that succeeded,
    the knowledge base it assembled is the answer again (`assemble` is a
    function of the files alone), read from the snapshot file alone: the
    per-file results are read only when a file has to be checked again.
    """

    def __init__(self, root: Path, enabled: bool):
        self.files_path = root / FILES_CACHE
        self.snapshot_path = root / SNAPSHOT_CACHE
        self.enabled = enabled
        self.entries: dict[str, tuple] | None = None  # read on first use
        self.seen: list[tuple[str, tuple]] = []  # (file, signature) of this load, in reading order
        self.taken: dict[str, tuple] = {}  # signatures taken by to_check, for result
        self.trusted = True  # every file of this load is old enough to be cached
        self.dirty = False

    def _read(self, path: Path):
        if not self.enabled:
            return None
        try:
            with open(path, "rb") as fh:
                stored = _unpickle(fh)
            return stored["data"] if stored.get("format") == _record_format() else None
        except Exception:  # a missing, partial or foreign cache is simply rebuilt
            return None

    def _write(self, path: Path, data) -> None:
        try:
            path.parent.mkdir(exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                pickle.dump({"format": _record_format(), "data": data}, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:  # a read-only tree still works, only slower
            pass

    def unchanged(self, root: Path, files: list[str]) -> KnowledgeBase | None:
        """The knowledge base of the last load, if these files are exactly the ones it read."""
        snapshot = self._read(self.snapshot_path)
        if snapshot is None:
            return None
        signatures, provider, names, blobs = snapshot
        if [rel for rel, _ in signatures] != files:
            return None
        try:
            if any(_signature(root / rel) != sig for rel, sig in signatures):
                return None
        except OSError:
            return None
        return KnowledgeBase(provider, ClientShelf(blobs), names)

    def to_check(self, root: Path, files: list[str]) -> list[str]:
        """The files whose checked result is not in the cache."""
        if self.entries is None:
            self.entries = self._read(self.files_path) or {}
        todo = []
        for rel in files:
            hit = self.entries.get(rel)
            try:
                sig = self.taken[rel] = _signature(root / rel)
            except OSError:
                todo.append(rel)
                continue
            if hit is None or hit[0] != sig:
                todo.append(rel)
        return todo

    def result(self, root: Path, rel: str, from_node, checked_elsewhere=None):
        if self.entries is None:
            self.entries = self._read(self.files_path) or {}
        now = time_ns()
        try:
            sig = self.taken.pop(rel, None) or _signature(root / rel)
            self.seen.append((rel, sig))
            hit = self.entries.get(rel)
            if hit is not None and hit[0] == sig:
                return hit[1]
            result = checked_elsewhere(rel) if checked_elsewhere else None
            if result is None:
                result = _check_file(root, rel, from_node)
        except OSError as exc:  # a dangling link, a file without read permission
            self.trusted = False
            return [f"{rel}:1: document: cannot be read: {exc.strerror or exc} (expected a readable file)"]
        if sig[2] < now - RACY_NS:
            self.entries[rel] = (sig, result)
        else:  # changed too recently to trust its signature: read it again next time
            self.entries.pop(rel, None)
            self.trusted = False
        self.dirty = True
        return result

    def save(self, keep: set[str], kb: KnowledgeBase | None = None) -> None:
        """Store the per-file results, and `kb` when every file it came from could be cached."""
        if not self.enabled or self.entries is None:
            return
        stale = set(self.entries) - keep
        for rel in stale:
            del self.entries[rel]
        if self.dirty or stale:
            self._write(self.files_path, self.entries)
        if kb is not None and self.trusted:
            blobs = {slug: pickle.dumps(client, protocol=pickle.HIGHEST_PROTOCOL)
                     for slug, client in kb.clients.items()}
            self._write(self.snapshot_path, (tuple(self.seen), kb.provider, kb.names, blobs))


def _results_when_needed(files: list[str], wait: Callable[[], dict]) -> Callable[[str], object | None]:
    """The result of one of `files` from another process, waited for when the first is needed; None for
    another file, or one that process did not check."""
    theirs, results = set(files), None

    def result(rel: str) -> object | None:
        nonlocal results
        if rel not in theirs:
            return None
        if results is None:
            results = wait()
        return results.get(rel)
    return result


def check_contract_files(root: Path, files: list[str]) -> dict[str, object]:
    """Each file's checked result (a Contract, or its error lines), for a load in another process;
    a file that cannot be read is left to that load, which says why."""
    from .validate import contract_from_node

    results = {}
    for rel in files:
        try:
            results[rel] = _check_file(Path(root), rel, contract_from_node)
        except OSError:
            pass
    return results


def load_knowledge_base(root: Path, use_cache: bool = True,
                        check_elsewhere: Callable[[Path, list[str]], Callable[[], dict]] | None = None
                        ) -> KnowledgeBase:
    """Read and check provider.yaml and every contract under root/contracts; raises InputError.

    `check_elsewhere(root, files)`, if given, has another process check `files` (check_contract_files)
    and returns a function that waits for the results: when many contracts are to be checked, the last
    third go there while this process checks the others.
    """
    root = Path(root)
    if not (root / PROVIDER_FILE).is_file():
        raise InputError([f"{PROVIDER_FILE}:1: provider: file not found under {root} "
                          "(expected a knowledge-base folder; create one with 'scopekb init DIR')"])
    cache = _Cache(root, use_cache)
    files = contract_files(root)
    kb = cache.unchanged(root, [PROVIDER_FILE, *files])
    if kb is not None:
        return kb
    # imported here: a load that nothing changed for needs neither the parser nor the checks
    from .validate import assemble, contract_from_node, provider_from_node

    messages: list[str] = []
    provider = cache.result(root, PROVIDER_FILE, provider_from_node)
    if not isinstance(provider, Provider):
        messages += provider
    elsewhere = None
    todo = cache.to_check(root, files) if check_elsewhere else []
    if len(todo) >= SHARED_CHECKS:
        theirs = todo[len(todo) - len(todo) // 3:]
        elsewhere = _results_when_needed(theirs, check_elsewhere(root, theirs))
    contracts: list[Contract] = []
    for rel in files:
        result = cache.result(root, rel, contract_from_node, elsewhere)
        if isinstance(result, Contract):
            contracts.append(result)
        else:
            messages += result
    keep = set(files) | {PROVIDER_FILE}
    if messages:
        cache.save(keep)
        raise InputError(messages)
    try:
        kb = assemble(provider, contracts)
    except InputError:
        cache.save(keep)
        raise
    cache.save(keep, kb)
    return kb
