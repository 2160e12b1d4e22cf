"""The second process of a site build: it renders the generated pages' HTML while MkDocs builds pages.

A client page's or a decision tree's HTML (site/pages.py, site/trees.py) is
needed only when MkDocs builds that page. A process of its own renders them on
the other core, from the last MkDocs will ask for, and sends them back a few at
a time; the building process renders the first ones itself, each that it needs
before the process has sent it, until it gets one from the process: the two
meet where their work is shared evenly, whichever is faster, and the process
is told to stop there. Neither waits for the other.

The process is `python -m scopekb.mkdocs_plugin.worker`. Its protocol, pickles
on stdin and stdout:
- in: (CHECK, root, files): check these contract files (kb.load.check_contract_files) while the
  building process loads the others; out: (CHECKED, {file: result});
- in: (GET_READY,): import and compile what the work needs, while MkDocs loads;
- in: (KNOWLEDGE, kb): the knowledge base, sent as soon as it is loaded;
- in: (WORK, kb or None if given ahead, lang, today, directory_urls, [(path, kind, slug), ...]);
  out: (BODIES, [(path, context.Body), ...]) in the reverse order, then (DONE,) or (ERROR, exception);
- in: (STOP,): render no more pages (the building process has the rest);
- in: (INDEX, {article page: its HTML}): once the pages are done, make the site's search index (the
  articles' HTML is all it needs of MkDocs), out: (INDEXED, {file path: text}) before (DONE,);
- in: END, or the end of the stream: stop.
Unlike multiprocessing's spawn, it never runs the building program's main module
again. Where no process can start, the same work is done in the building process.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import pickle
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable

from scopekb.kb.load import check_contract_files
from scopekb.kb.model import KnowledgeBase
from scopekb.site.context import Body, SiteContext, compile_templates
from scopekb.site.pages import page_body
from scopekb.site.search import search_index

CHECK, CHECKED, GET_READY, KNOWLEDGE, WORK = "check", "checked", "get ready", "knowledge base", "work"
BODIES, DONE, ERROR, STOP, END = "bodies", "done", "error", "stop", "end"
INDEX, INDEXED = "index", "indexed"
BATCH = 32  # bodies a message carries: a thread of the building process wakes up for each message, and takes
            # the interpreter from MkDocs while it reads it

Pages = list[tuple[str, str, str]]  # (page path, kind of page, client slug)


class BuildWorker:
    """Generated pages' HTML, made by a second process while MkDocs builds.

    The process starts at once; `check_files(...)` has it check contract files
    while the contracts load here, `get_ready()` has it import what it needs
    while the build loads MkDocs, `give(kb)` sends it the knowledge base early;
    `start(...)` gives it the pages to render, `body(path)` returns one (the
    process's, or rendered here if it has not sent it yet); `index(...)` has
    it make the search index after them; `finish()` waits for the end,
    `stop()` ends it at once.
    """

    def __init__(self) -> None:
        self.outcome: tuple | None = None  # set when the process ends
        self.bodies: dict[str, Body] = {}
        self.arrived = threading.Condition()
        self.site: SiteContext | None = None  # for the bodies rendered here
        self.rendered_here = 0
        self.met = False  # a body came from the process: it has the pages after this one, and is told to stop
        self.search_files: dict[str, str] | None = None  # the search index's files, once the process sent them
        self.pages: dict[str, tuple[str, str]] = {}
        self.unsent: Exception | None = None  # why a message could not be sent to the process
        self.checked: dict | None = None  # contract files the process checked, when asked to
        self.given: KnowledgeBase | None = None
        self.working = False  # work was sent: the process ends with an outcome, not just the end of its output
        try:
            self.process = subprocess.Popen([sys.executable, "-m", "scopekb.mkdocs_plugin.worker"],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            preexec_fn=_end_with_parent)
        except OSError:
            self.process = None
            self.outcome = (DONE,)
            return
        _widen_pipe(self.process.stdout)
        # Threads of their own talk to the process, so that a full pipe never holds up the build.
        self.outbox: queue.Queue = queue.Queue()
        self.talk = threading.Thread(target=self._talk, name="scopekb-worker-in", daemon=True)
        self.listen = threading.Thread(target=self._listen, name="scopekb-worker-out", daemon=True)
        self.talk.start()
        self.listen.start()

    def check_files(self, root: Path, files: list[str]) -> Callable[[], dict]:
        """Have the process check contract files while the knowledge base loads here (kb.load's
        check_elsewhere); the function returned waits for their results ({} where there is no process)."""
        if self.process is None:
            return dict
        self.outbox.put((CHECK, str(root), files))

        def results() -> dict:
            with self.arrived:
                self.arrived.wait_for(lambda: self.checked is not None or self.outcome is not None)
            return self.checked or {}
        return results

    def get_ready(self) -> None:
        """Have the process import and compile what the work needs, while MkDocs loads here."""
        if self.process is not None:
            self.outbox.put((GET_READY,))

    def give(self, kb: KnowledgeBase) -> None:
        """Send the knowledge base now, while MkDocs loads here: `start` then need not carry it."""
        if self.process is not None:
            self.given = kb
            self.outbox.put((KNOWLEDGE, kb))

    def start(self, kb: KnowledgeBase, lang: str, today: dt.date, directory_urls: bool, pages: Pages) -> None:
        """Render the HTML of these pages, which MkDocs asks for in this order."""
        self.site = SiteContext(kb, lang, today, directory_urls)
        self.pages = {path: (kind, slug) for path, kind, slug in pages}
        if self.process is not None:
            self.working = True
            self.outbox.put((WORK, None if kb is self.given else kb, lang, today, directory_urls, pages))

    def index(self, article_contents: dict[str, str]) -> None:
        """Have the process make the site's search index when its pages are done: `search_files` holds it
        after `finish()` (None where there is no process: the building process makes it)."""
        if self.process is not None:
            self.outbox.put((INDEX, article_contents))

    def body(self, path: str) -> Body:
        """The HTML of the generated page `path`, under its title: the process's if it has sent it, else
        rendered here; raises what stopped the process, if it failed."""
        if self.process is not None:
            with self.arrived:
                if self.outcome is not None and self.outcome[0] == ERROR:
                    raise self.outcome[1]
                body = self.bodies.pop(path, None)
            if body is not None:
                if not self.met:
                    self.met = True
                    self.outbox.put((STOP,))
                return body
        self.rendered_here += 1
        return Body.of(page_body(self.site, *self.pages[path]))

    def _talk(self) -> None:
        try:
            while (message := self.outbox.get()) is not None:
                pickle.dump(message, self.process.stdin, pickle.HIGHEST_PROTOCOL)
                self.process.stdin.flush()  # the end of a message must not wait in the buffer for the next
            pickle.dump((END,), self.process.stdin, pickle.HIGHEST_PROTOCOL)
            self.process.stdin.close()
        except OSError:  # the process ended early: its outcome says why
            pass
        except Exception as error:  # a message that could not be sent: the process ends, the build says why
            self.unsent = error
            with contextlib.suppress(OSError):
                self.process.stdin.close()

    def _listen(self) -> None:
        outcome = None
        try:
            while True:
                message = pickle.load(self.process.stdout)
                with self.arrived:
                    if message[0] == CHECKED:
                        self.checked = message[1]
                    elif message[0] == BODIES:
                        self.bodies.update(message[1])
                    elif message[0] == INDEXED:
                        self.search_files = message[1]
                    else:
                        outcome = message
                    self.arrived.notify_all()
                if outcome is not None:
                    break
        except Exception as error:
            garbled = not isinstance(error, EOFError)
            if garbled:  # not the end of its output: the process may be waiting to write more, and would
                with contextlib.suppress(OSError):  # never close the stderr read below
                    self.process.kill()
            failure = self.process.stderr.read().decode(errors="replace").strip().splitlines()
            status = self.process.wait()
            if garbled:
                failure.append(f"its output could not be read ({type(error).__name__}: {error})")
            if failure or status != 0 or self.working:
                why = failure[-1] if failure else f"exit status {status}" if status else "no output"
                outcome = (ERROR, RuntimeError(f"the build's second process failed: {why}"))
            else:  # told to end before it had work
                outcome = (DONE,)
        self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()
        if self.unsent is not None:
            outcome = (ERROR, RuntimeError(f"the build's second process got no work: {self.unsent!r}"))
        with self.arrived:
            self.outcome = outcome
            self.arrived.notify_all()

    def stop(self) -> None:
        """End the process now, whatever it is doing (the build failed or was stopped)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.kill()
        self.finish(raise_error=False)

    def finish(self, raise_error: bool = True) -> None:
        """Wait until the process is done; raise what stopped it, if anything."""
        if self.process is not None:
            if self.talk.is_alive():
                self.outbox.put(None)
                self.talk.join()
            self.listen.join()
        if self.outcome[0] == ERROR and raise_error:
            raise self.outcome[1]


def _end_with_parent() -> None:
    """In the new process, before it runs: ask Linux to kill it when the building process dies, even by
    SIGKILL, so that no orphan goes on rendering pages for a build that is gone."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _widen_pipe(stream, size: int = 1 << 20) -> None:
    """Let the pipe from the process hold up to `size` bytes (Linux; 64 KiB unless told): a client page is
    8 KB, so the process would otherwise wait, every few pages, for a thread here to get the interpreter
    from MkDocs and read them."""
    try:
        import fcntl
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, size)
    except (ImportError, AttributeError, OSError):  # another system, or a smaller limit: as it was
        pass


# --- the process ---------------------------------------------------------------------------------

def send_bodies(site: SiteContext, pages: Pages, out, stopped: threading.Event) -> None:
    """Render each page's HTML, from the last, and send them a few at a time, until told to stop."""
    batch = []
    for n, (path, kind, slug) in enumerate(reversed(pages), 1):
        if stopped.is_set():
            return
        batch.append((path, Body.of(page_body(site, kind, slug))))
        if n % BATCH == 0 or n == len(pages):
            pickle.dump((BODIES, batch), out, pickle.HIGHEST_PROTOCOL)
            out.flush()
            batch = []


def _next_message(stdin) -> tuple:
    try:
        return pickle.load(stdin)
    except EOFError:
        return (END,)


def _read_during_work(stdin, stopped: threading.Event, after: queue.Queue) -> None:
    """During the work: STOP stops the rendering, as does END (the building process is done); INDEX, and
    END, are for after it."""
    while True:
        message = _next_message(stdin)
        if message[0] in (STOP, END):
            stopped.set()
        if message[0] != STOP:
            after.put(message)
        if message[0] == END:
            return


def _worker_process() -> None:
    """`python -m scopekb.mkdocs_plugin.worker`: messages on stdin, answers on stdout (module docstring)."""
    # Buffered whatever PYTHONUNBUFFERED says: unbuffered, sys.stdout.buffer is the raw file, whose write may
    # write part of what it is given (one that a signal interrupts in a full pipe), which pickle.dump
    # would not notice; a buffered writer writes it all.
    stdin, stdout = sys.stdin.buffer, io.BufferedWriter(io.FileIO(sys.stdout.fileno(), "wb", closefd=False))
    given, ready = None, False
    while (message := _next_message(stdin))[0] != END:
        if message[0] == CHECK:
            try:
                results = check_contract_files(Path(message[1]), message[2])
            except Exception:  # the building process checks them itself
                results = {}
            pickle.dump((CHECKED, results), stdout, pickle.HIGHEST_PROTOCOL)
            stdout.flush()
        elif message[0] == KNOWLEDGE:
            given = message[1]
        if message[0] in (CHECK, GET_READY, KNOWLEDGE) and not ready:
            ready = True
            with contextlib.suppress(Exception):  # what fails here fails again in the work, which says so
                compile_templates("client.html.j2", "tree.html.j2")
        if message[0] == WORK:
            _, kb, lang, today, directory_urls, pages = message
            stopped, after = threading.Event(), queue.Queue()
            threading.Thread(target=_read_during_work, args=(stdin, stopped, after), daemon=True).start()
            try:
                site = SiteContext(kb or given, lang, today, directory_urls)
                send_bodies(site, pages, stdout, stopped)
                while (message := after.get())[0] == INDEX:
                    pickle.dump((INDEXED, search_index(site, message[1]).files()), stdout, pickle.HIGHEST_PROTOCOL)
                    stdout.flush()
                    break
                outcome: tuple = (DONE,)
            except Exception as error:  # raised again by BuildWorker.finish, in the building thread
                outcome = (ERROR, RuntimeError(f"the build's second process failed: {type(error).__name__}: {error}"))
            pickle.dump(outcome, stdout, pickle.HIGHEST_PROTOCOL)
            stdout.flush()
            return


if __name__ == "__main__":
    _worker_process()
    # The building process waits for this process to end. Python would first free its data object by
    # object: all is written, flushed and closed, so end now.
    sys.stdout.flush()
    os._exit(0)
