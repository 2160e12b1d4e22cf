"""The second process of a site build: client page bodies, decision-tree pages, search entries.

All three are work of the building process that MkDocs does not need at once:
the HTML of a client page is needed only when MkDocs builds that page, the
tree pages are complete HTML that MkDocs would only copy, and Material's search
reads each page's HTML with a parser in Python. A process of their own does
them on the other core while MkDocs builds the pages.

The process is `python -m scopekb.mkdocs_plugin.worker`. It gets its messages as
pickles on stdin: contract files to check while the contracts load (CHECK, a
first build only), then word to get ready (GET_READY) and the knowledge base
(KNOWLEDGE), while MkDocs loads; the work; once MkDocs has read every page,
the headings of the client pages' titles (CLIENTS); when MkDocs is done,
SPLIT (the building process writes the last tree pages itself); then the end.
It sends back on stdout the HTML of the client pages, in the order of the
knowledge base, a few at a time as they are rendered, then the outcome. Unlike
multiprocessing's spawn, it never runs the building program's own main module
again. Where no process can start, the same work is done here, in the
building process.

The search entries come from Material's own indexer, run over the content
the building process would have indexed (the plugin checks that the page
holds just that, else indexes it itself): build_search.py makes them, keeps
them for the next build, and puts them where Material would have; the index
comes out byte for byte the same (tests/test_build.py compares).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable

from scopekb.mkdocs_plugin.search_entries import CLIENTS, END, SPLIT, EntryCache, Indexer, PageToIndex, page_entries
from scopekb.kb.load import check_contract_files
from scopekb.kb.model import KnowledgeBase
from scopekb.site.pages import SiteContext, client_body, client_view, tree_pages
from scopekb.site.context import compile_templates

CHECK = "check"  # (CHECK, root, files): check these contract files (load.check_contract_files) first
CHECKED = "checked"  # (CHECKED, {file: result}): the answer
GET_READY = "get ready"  # (GET_READY,): the knowledge base is loaded, prepare for the work
KNOWLEDGE = "knowledge base"  # (KNOWLEDGE, kb): the knowledge base of the work to come, sent as soon as loaded
BATCH = 32  # client page bodies a message carries: a thread of the building process wakes up for each
            # message, and takes the interpreter from MkDocs while it reads it


def write_tree_pages(kb: KnowledgeBase, lang: str, today: dt.date, directory_urls: bool, folder: str,
                     start: int = 0, until=lambda next_tree: None) -> int:
    """Render the decision-tree pages from the `start`-th client and write them under `folder`; returns
    how many. `until(n)`, asked before the n-th client's page, may name the client to stop at."""
    count = 0
    made: set[str] = set()
    for path, html in tree_pages(kb, lang, today, directory_urls, start):
        stop = until(start + count)
        if stop is not None and start + count >= stop:
            break
        target = os.path.join(folder, path)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(target, "w", encoding="utf-8") as out:
            out.write(html)
        count += 1
    return count


class BuildWorker:
    """Client page bodies, tree pages and search entries, made by a second process while MkDocs builds.

    The process starts at once; `check_files(...)` has it check contract
    files while the contracts load here, `get_ready()` has it import what it
    needs while the build loads MkDocs; `start(...)` gives it the work,
    `body(slug)` waits for a client page's HTML, `index_clients(...)` has it
    index the client pages, `index(page)` indexes a page here,
    `share_trees()` takes over part of the tree pages left, and `finish()`
    waits for the end and returns (tree pages written, search entries by
    page URL).
    """

    def __init__(self) -> None:
        self.search_config: dict | None = None
        self.outcome: tuple | None = None  # set when the process ends (or, without one, by start)
        self.entries: dict[str, list[dict]] = {}  # of the pages indexed here
        self.work: tuple | None = None
        self.split_at: int | None = None  # the client whose tree page this process writes from
        self.trees_here = 0
        self.bodies: dict[str, str] = {}
        self.arrived = threading.Condition()
        self.site: SiteContext | None = None  # without a process: bodies rendered here, when asked for
        self.unsent: Exception | None = None  # why a message could not be sent to the process
        self.checked: dict | None = None  # contract files the process checked, when asked to
        self.given: KnowledgeBase | None = None  # sent ahead of the work (`give`)
        try:
            self.process = subprocess.Popen([sys.executable, "-m", "scopekb.mkdocs_plugin.worker"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            preexec_fn=_end_with_parent)
        except OSError:
            self.process = None
            self.outcome = ("done", (0, {}))
            return
        _widen_pipe(self.process.stdout)
        # Threads of their own talk to the process, so that a full pipe never holds up the build.
        self.outbox: queue.Queue = queue.Queue()
        self.talk = threading.Thread(target=self._talk, name="scopekb-worker-in", daemon=True)
        self.listen = threading.Thread(target=self._listen, name="scopekb-worker-out", daemon=True)
        self.talk.start()
        self.listen.start()

    def start(self, kb: KnowledgeBase, lang: str, today: dt.date, directory_urls: bool, folder: Path,
              search_config: dict | None = None, search_cache: Path | None = None) -> None:
        """Render the client page bodies; write the tree pages under `folder`; index the pages given to
        `index` with `search_config` (None: none will be), keeping their entries in `search_cache`
        (build_search.EntryCache) for the next build."""
        work = self.work = (kb, lang, today, directory_urls, str(folder))
        self.search_config = search_config
        if self.process is None:
            self.site = SiteContext(kb, lang, today, directory_urls)
            self.outcome = _attempt(write_tree_pages, *work)
        else:  # the knowledge base given ahead is not sent again
            self.outbox.put(((None if kb is self.given else kb, *work[1:]), search_config, search_cache))

    def give(self, kb: KnowledgeBase) -> None:
        """Send the knowledge base of the work to come now, while MkDocs loads here: the process has it
        by the time `start` gives the work (which then need not carry it)."""
        if self.process is not None:
            self.given = kb
            self.outbox.put((KNOWLEDGE, kb))

    def body(self, slug: str) -> str:
        """The HTML of the client page of `slug`, under its title; waits for the process to send it."""
        if self.process is None:  # rendered here, once
            if slug not in self.bodies:
                self.bodies[slug] = client_body(self.site, self.site.kb.clients[slug])
            return self.bodies.pop(slug)
        with self.arrived:
            self.arrived.wait_for(lambda: slug in self.bodies or self.outcome is not None)
            if slug in self.bodies:
                return self.bodies.pop(slug)
        kind, value = self.outcome
        raise value if kind == "error" else RuntimeError(f"the build's second process sent no page for {slug}")

    def check_files(self, root: Path, files: list[str]) -> Callable[[], dict]:
        """Have the process check contract files while the knowledge base loads here (load.py's
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

    def index_clients(self, pages: dict[str, tuple[str, str, str]]) -> None:
        """Have the process make the search entries of client pages, {slug: (URL, title, title's heading)}:
        the heading, then the HTML it sent for the client."""
        if self.process is None:  # rendered here and kept for body(), which would otherwise render it again
            for slug, (url, title, heading) in pages.items():
                self.bodies[slug] = body = client_body(self.site, self.site.kb.clients[slug])
                self.index(PageToIndex(url, title, {}, f"{heading}\n{body}"))
        else:
            self.outbox.put((CLIENTS, pages))

    def index(self, page: PageToIndex) -> None:
        """Make the search entries of `page` here."""
        self.entries[page.url] = page_entries(self.search_config, page)

    def _talk(self) -> None:
        try:
            while (message := self.outbox.get()) is not None:
                pickle.dump(message, self.process.stdin, pickle.HIGHEST_PROTOCOL)
                self.process.stdin.flush()  # the end of a message must not wait in the buffer for the next
            pickle.dump(END, self.process.stdin, pickle.HIGHEST_PROTOCOL)
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
                if message[0] == CHECKED:
                    with self.arrived:
                        self.checked = message[1]
                        self.arrived.notify_all()
                    continue
                if message[0] == SPLIT:
                    with self.arrived:
                        self.split_at = message[1]
                        self.arrived.notify_all()
                    continue
                if message[0] != "bodies":
                    outcome = message
                    break
                with self.arrived:
                    self.bodies.update(message[1])
                    self.arrived.notify_all()
        except Exception:
            failure = self.process.stderr.read().decode(errors="replace").strip().splitlines() or ["no output"]
            outcome = ("error", RuntimeError(f"the build's second process failed: {failure[-1]}"))
        self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()
        if self.unsent is not None:
            outcome = ("error", RuntimeError(f"the build's second process got no work: {self.unsent!r}"))
        with self.arrived:
            self.outcome = outcome
            self.arrived.notify_all()

    def share_trees(self) -> None:
        """Write here the last of the tree pages the process has yet to write, once the building process
        has nothing else to do: as many as lets both end together (Indexer.split_at)."""
        if self.process is None or self.work is None:
            return
        self.outbox.put(SPLIT)
        with self.arrived:
            self.arrived.wait_for(lambda: self.split_at is not None or self.outcome is not None)
        if self.split_at is not None and self.split_at < len(self.work[0].clients):
            self.trees_here = write_tree_pages(*self.work, self.split_at)

    def stop(self) -> None:
        """End the process now, whatever it is doing (the build failed or was stopped)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.process.kill()
        self.finish(raise_error=False)

    def finish(self, raise_error: bool = True) -> tuple[int, dict[str, list[dict]]]:
        """Wait until every tree page is written and every page indexed; raise what stopped it, if anything.

        Returns (tree pages written, search entries by page URL); after a failure, (0, {})."""
        if self.process is not None:
            if self.talk.is_alive():
                self.outbox.put(None)
                self.talk.join()
            self.listen.join()
        kind, value = self.outcome
        if kind == "error":
            if raise_error:
                raise value
            return 0, {}
        trees, entries = value if isinstance(value, tuple) else (value, {})
        return trees + self.trees_here, {**entries, **self.entries}


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


def _attempt(function, *args) -> tuple:
    try:
        return ("done", function(*args))
    except Exception as error:  # raised again by BuildWorker.finish, in the building thread
        return ("error", error)


def _both(trees: tuple, entries: tuple) -> tuple:
    """The outcome of the tree pages then the search entries: both done, or the first error."""
    if trees[0] == "error":
        return trees
    return ("done", (trees[1], entries[1])) if entries[0] == "done" else entries


def _messages(stream, inbox: queue.Queue) -> None:
    """Read the pages to index as they come, while the trees are being written."""
    try:
        while (message := pickle.load(stream)) != END:
            inbox.put(message)
    except Exception:  # the building process is gone: no more pages
        pass
    inbox.put(END)


def send_bodies(kb: KnowledgeBase, lang: str, today: dt.date, directory_urls: bool, out, keep: dict,
                views: dict) -> None:
    """Render each client page's HTML, in the order of the knowledge base, and send them a few at a time;
    `keep` gets them too, by slug, and `views` what they show (render.client_view)."""
    site = SiteContext(kb, lang, today, directory_urls)
    bodies = []
    for n, (slug, client) in enumerate(kb.clients.items(), 1):
        views[slug] = view = client_view(site, client)
        keep[slug] = body = client_body(site, client, view)
        bodies.append((slug, body))
        if n % BATCH == 0 or n == len(kb.clients):
            pickle.dump(("bodies", bodies), out, pickle.HIGHEST_PROTOCOL)
            out.flush()
            bodies = []


def _get_ready() -> None:
    """Import and compile what the work needs while the building process loads the contracts and MkDocs:
    0.08 s that the work would otherwise wait for."""
    from material.plugins.search import plugin  # noqa: F401  (page_entries's indexer)

    from scopekb.coverage import tree as render_tree# noqa: F401

    compile_templates("client.html.j2", "tree.html.j2")


def _next_message(stdin) -> tuple:
    try:
        return pickle.load(stdin)
    except EOFError:
        return END


def _check(message: tuple, stdout) -> None:
    """Answer (CHECK, root, files): results the building process would otherwise compute itself."""
    try:
        results = check_contract_files(Path(message[1]), message[2])
    except Exception:  # the building process checks them
        results = {}
    pickle.dump((CHECKED, results), stdout, pickle.HIGHEST_PROTOCOL)
    stdout.flush()


def _worker_process() -> None:
    """`python -m scopekb.mkdocs_plugin.worker`: the work from stdin; bodies, then the outcome, pickled on stdout."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    # Contract files to check come first (a first build), or word that there are none: then get ready
    # while the building process loads MkDocs, and wait for the work.
    ready = False
    given = None
    first = _next_message(stdin)
    while first[0] in (CHECK, GET_READY, KNOWLEDGE):
        if first[0] == CHECK:
            _check(first, stdout)
        if first[0] == KNOWLEDGE:
            given = first[1]
        if not ready:
            ready = True
            with contextlib.suppress(Exception):  # what fails here fails again in the work, which says so
                _get_ready()
        first = _next_message(stdin)
    if first == END:  # the build stopped before it had work for this process
        outcome: tuple = ("done", (0, {}))
    else:
        work, search_config, search_cache = first
        if work[0] is None:  # the knowledge base came ahead
            work = (given, *work[1:])
        inbox: queue.Queue = queue.Queue()
        threading.Thread(target=_messages, args=(stdin, inbox), daemon=True).start()
        cache = EntryCache.at(search_cache, search_config)
        indexer = Indexer(search_config, inbox, stdout, len(work[0].clients), cache)
        outcome = _attempt(send_bodies, *work[:4], stdout, indexer.bodies, indexer.views)
        if outcome[0] == "done":
            outcome = _attempt(write_tree_pages, *work, 0, indexer.until)
        indexer.next_tree = indexer.trees  # none left to share
        if outcome[0] == "done":
            outcome = _both(outcome, _attempt(indexer.rest))
        if outcome[0] == "done" and cache is not None:
            cache.save()
        indexer.search_config = None  # after a failure: read to the end, so that the build is never held up
        indexer.rest()
    pickle.dump(outcome, stdout, pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    _worker_process()
    # The building process waits for this process to end. Python would first free its data object by
    # object (the contracts, every page's search entries): about 0.1 s at 1,000 clients. All is written,
    # flushed and closed: end now.
    sys.stdout.flush()
    os._exit(0)
