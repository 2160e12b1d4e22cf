"""What a load can reuse: each contract file's checked result, and the last good knowledge base.

Parsing thousands of contracts takes seconds even with libyaml, so each
file's checked result is cached under `.scopekb-cache/`, keyed by the file's
size, mtime, ctime and inode. Any write to a file changes its ctime (which no
tool can set back), so a changed file is always read again; checks that span
files run on every load. Timestamps are only as fine as the file system's
clock (a few ms, or a whole second on some), so a file changed less than
RACY_NS ago is not cached: a second change within the same clock tick would
leave its signature as it was.

Every file of the cache, here or elsewhere, is written by `write_atomic`: a
reader sees the old file or the new one, never a part.
"""
from __future__ import annotations

import gc
import os
import pickle
import tempfile
from collections.abc import Mapping
from pathlib import Path
from time import time_ns
from typing import Callable

from scopekb import __version__
from scopekb.kb.model import Client, KnowledgeBase

CACHE_DIR = ".scopekb-cache"
FILES_CACHE = f"{CACHE_DIR}/files.pickle"
SNAPSHOT_CACHE = f"{CACHE_DIR}/snapshot.pickle"
RACY_NS = 2_000_000_000  # more than the coarsest timestamp tick in common use (1 s)


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a temporary file beside it, renamed into place; False when the
    folder cannot be written (a read-only tree still works, only slower). The file gets the permissions
    of a file made by open(): mkstemp makes it private."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(data)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        return True
    except OSError:
        return False


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

    from scopekb.kb import model
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


class Cache:
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
        write_atomic(path, pickle.dumps({"format": _record_format(), "data": data}, protocol=pickle.HIGHEST_PROTOCOL))

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

    def result(self, root: Path, rel: str, check: Callable[[], object], checked_elsewhere=None):
        """The checked result of file `rel`: from the cache, else from `checked_elsewhere(rel)`, else `check()`."""
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
                result = check()
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
