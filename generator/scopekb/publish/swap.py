"""Publishing a folder atomically: build beside it, then swap it in with one rename.

A published folder (`site/internal`) is a symbolic link to a complete build,
`site/.internal-<pid>-<random>`. A build writes into a new folder of that
form; once it is complete, a new link to it replaces the published link with
`os.replace`, a single atomic rename: at every moment, whatever kills the
build, `site/internal` is the previous complete site or the new one.

Folders that a killed build left behind are removed by the next build: any
`.internal-<pid>-*` whose process is gone and that the link does not point to.
A build of another live process is left alone.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
from pathlib import Path


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM): unwinds like Ctrl-C, so that a build cleans up after itself."""


def staging_folder(final: Path) -> Path:
    """An empty folder beside `final` to build into, with the permissions of a folder made by mkdir.

    mkdtemp makes it private (0700): once published, a web server running as
    another user could not read the site.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(final)
    fresh = Path(tempfile.mkdtemp(prefix=f".{final.name}-{os.getpid()}-", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    fresh.chmod(0o777 & ~umask)
    return fresh


def publish(fresh: Path, final: Path) -> None:
    """Make the complete folder `fresh` the one `final` shows, in one atomic step, and remove the previous."""
    previous = _target(final)
    link = final.with_name(f".{final.name}-{os.getpid()}-link")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(link)
    os.symlink(fresh.name, link)
    if final.is_dir() and not final.is_symlink():
        # A real folder (made by an earlier version, or by `mkdocs build` alone) cannot be replaced by a
        # link in one step: it is moved aside first, the one moment without a site, once.
        aside = final.with_name(f".{final.name}-{os.getpid()}-aside")
        os.rename(final, aside)
        previous = aside
    os.replace(link, final)
    if previous is not None and previous != fresh:
        shutil.rmtree(previous, ignore_errors=True)


def _target(final: Path) -> Path | None:
    """The folder the published link points to, if it is one of ours."""
    if not final.is_symlink():
        return None
    target = final.parent / os.readlink(final)
    return target if target.parent == final.parent else None


def remove_leftovers(final: Path) -> list[Path]:
    """Remove the build folders and links of `final` that no live process owns and that are not published."""
    pattern = re.compile(rf"^\.{re.escape(final.name)}-(\d+)-")
    current = _target(final)
    removed = []
    for entry in final.parent.iterdir() if final.parent.is_dir() else ():
        found = pattern.match(entry.name)
        if not found or entry == current or _alive(int(found.group(1))):
            continue
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink(missing_ok=True)
        else:
            shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # a folder of this process from an earlier build in it: done with
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


@contextlib.contextmanager
def stopping_on_sigterm():
    """Within this block, SIGTERM raises Terminated (in the main thread), so that `finally` and `except`
    clauses remove a half-built folder and stop helpers, as they do for Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise Terminated()
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
