"""Publishing a folder atomically: build beside it, then swap it in with one rename.

A published folder (`site/internal`) is a symbolic link to a complete build,
`site/.internal-<pid>-<random>`. A build writes into a new folder of that
form; once it is complete, a new link to it replaces the published link with
`os.replace`, a single atomic rename: at every moment, whatever kills the
build, `site/internal` is the previous complete site or the new one.

Folders that a killed build left behind are removed by the next build: any
`.internal-<pid>-*` whose process is gone and that the link does not point to.
A build of another live process is left alone. A build that fails or is
stopped (SIGTERM raises Terminated) removes its own folder at once, unless it
was already published (`discard`). A build asked to stop is never published,
even where Python swallowed the Terminated (see `stopping_on_sigterm`).
tests/test_publish_kill.py and test_publish_swap.py check all this.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM): unwinds like Ctrl-C, so that a build cleans up after itself."""


_sigterm = threading.Event()
_guarding = threading.Event()  # within stopping_on_sigterm


def sigterm_received() -> bool:
    """Whether a SIGTERM came within `stopping_on_sigterm`. Library code may catch the Terminated it raised
    and raise an error of its own instead (a Cython module's init, importing scikit-learn, does): the
    build still cleans up, and the command still says it was terminated."""
    return _sigterm.is_set()


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
    if _guarding.is_set() and _sigterm.is_set():  # its Terminated was lost (see stopping_on_sigterm)
        raise Terminated()
    previous = _target(final)
    link = _link(final)
    _remove(link)  # of an earlier build of this process that was stopped
    os.symlink(fresh.name, link)
    if final.is_dir() and not final.is_symlink():
        # A real folder (made by an earlier version, or by `mkdocs build` alone): the link and the folder
        # trade names in one step where the system can; elsewhere the folder is moved aside first, the one
        # moment without a site, once.
        if _exchange(link, final):
            previous = link  # now the folder
        else:
            previous = final.with_name(f".{final.name}-{os.getpid()}-aside")
            os.rename(final, previous)
            os.replace(link, final)
    else:
        os.replace(link, final)
    # `fresh` is the site from here on: whatever stops the build now, discard() leaves it in place.
    if previous is not None and previous != fresh:
        _remove(previous)


def discard(fresh: Path, final: Path) -> None:
    """Remove what a build that did not finish made beside `final`: its folder, unless it was published
    (the build was stopped while it removed the previous site), and its link if not swapped in yet."""
    if _target(final) != fresh:
        shutil.rmtree(fresh, ignore_errors=True)
    _remove(_link(final))


def _link(final: Path) -> Path:
    """The new link this process makes beside `final` before it replaces `final` with it."""
    return final.with_name(f".{final.name}-{os.getpid()}-link")


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap the names of two paths in one atomic step (Linux's renameat2 with RENAME_EXCHANGE); False
    where the system or the file system cannot, and nothing was done."""
    try:
        import ctypes
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library older than glibc 2.28
        return False
    at_cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):  # an old kernel, a file system without it
        return False
    raise OSError(error, os.strerror(error), str(second))


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
    clauses remove a half-built folder and stop helpers, as they do for Ctrl-C.

    Python runs a signal handler between any two bytecodes, also in a weakref callback or a `__del__`
    (importlib's module locks have one), where an exception is printed as "Exception ignored" with its
    traceback and dropped. Such a Terminated is kept quiet here; `publish` and the end of the block raise
    it again, so the build still stops and is not published.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        _sigterm.set()
        raise Terminated()

    def unraisable(report):
        if not isinstance(report.exc_value, Terminated):
            previous_hook(report)
    _sigterm.clear()
    previous = signal.signal(signal.SIGTERM, terminate)
    previous_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    _guarding.set()
    try:
        yield
        if _sigterm.is_set():
            raise Terminated()
    finally:
        _guarding.clear()
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = previous_hook
