"""The build's second process: the generated pages' HTML, rendered while MkDocs builds."""
from __future__ import annotations

import datetime as dt
import io
import os
import pickle
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from scopekb.kb.load import load_knowledge_base
from scopekb.mkdocs_plugin.worker import BuildWorker
from scopekb.site.context import Body, SiteContext, split_html_page
from scopekb.site.pages import generated_pages, render_site

REPO = Path(__file__).resolve().parent.parent
DAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    root = tmp_path_factory.mktemp("kb")
    shutil.copytree(REPO / "contracts", root / "contracts")
    return load_knowledge_base(root)


def work(kb, lang="fr"):
    return [page[:3] for page in generated_pages(kb, lang)]


def expected_bodies(kb, lang="fr") -> dict[str, str]:
    """What MkDocs would get for each generated page: the HTML part of render_site's page."""
    pages = render_site(kb, "internal", lang, DAY, True)
    return {path: split_html_page(pages[path])[1] for path, *_ in generated_pages(kb, lang)}


def forbid_processes(monkeypatch) -> None:
    """As on a system where no process can start: the build does the second process's work itself."""
    def no_process(*args, **kwargs):
        raise OSError("no process here")
    monkeypatch.setattr(subprocess, "Popen", no_process)


@pytest.mark.parametrize("process", [True, False], ids=["in a second process", "where no process starts"])
def test_each_generated_page_gets_its_html_in_any_order(kb, monkeypatch, process):
    if not process:
        forbid_processes(monkeypatch)
    worker = BuildWorker()
    assert (worker.process is not None) == process
    worker.start(kb, "fr", DAY, True, work(kb))
    expected = expected_bodies(kb)
    for path in reversed(list(expected)):
        assert worker.body(path) == Body.of(expected[path]), path
    worker.finish()


def test_the_knowledge_base_given_ahead_is_not_sent_twice(kb):
    worker = BuildWorker()
    sent: list = []
    put = worker.outbox.put
    worker.outbox.put = lambda message: sent.append(message) or put(message)
    worker.give(kb)
    worker.start(kb, "en", DAY, False, work(kb, "en"))
    assert [m[0] for m in sent] == ["knowledge base", "work"] and sent[1][1] is None
    path = work(kb, "en")[0][0]
    assert worker.body(path).html == expected_bodies(kb, "en")[path] != expected_bodies(kb, "fr")[path]
    worker.finish()


def body_failure(worker: BuildWorker, path: str) -> str:
    """What body(path) raises (a page the process has not sent is rendered here: it may raise nothing),
    else what finish() raises, which it must; asked in a thread that must not wait for ever."""
    raised: list = []

    def ask():
        try:
            worker.body(path)
        except Exception as error:
            raised.append(error)
    asking = threading.Thread(target=ask, daemon=True)
    asking.start()
    asking.join(30)
    assert not asking.is_alive(), "the build would wait for ever"
    with pytest.raises(RuntimeError) as finished:
        worker.finish()
    failures = [str(error) for error in raised if isinstance(error, RuntimeError)]
    return failures[0] if failures else str(finished.value)


@pytest.mark.parametrize("noticed", [False, True], ids=["dies", "died before the build gave it work"])
def test_a_process_that_dies_fails_the_build_instead_of_hanging(kb, noticed):
    worker = BuildWorker()
    worker.process.kill()
    if noticed:
        worker.listen.join(30)
    worker.start(kb, "fr", DAY, True, work(kb))
    assert body_failure(worker, work(kb)[0][0]).startswith("the build's second process")


def test_work_that_cannot_be_sent_fails_the_build_instead_of_hanging(kb):
    worker = BuildWorker()
    worker.start(kb, "fr", DAY, True, [("x.md", "client", lambda: 0)])  # a function cannot be pickled
    assert body_failure(worker, "x.md").startswith("the build's second process got no work: ")


def test_a_failure_in_the_process_is_raised_in_the_build(kb):
    worker = BuildWorker()
    worker.start(kb, "fr", DAY, True, [("x.md", "client", "no-such-client")])
    worker.listen.join(30)  # the process has failed: the build does not render the page again
    assert "KeyError" in body_failure(worker, "x.md")


def test_a_failure_in_a_page_rendered_here_is_raised_in_the_build(kb, monkeypatch):
    forbid_processes(monkeypatch)
    worker = BuildWorker()
    worker.start(kb, "fr", DAY, True, [("x.md", "client", "no-such-client")])
    with pytest.raises(KeyError):
        worker.body("x.md")


def test_the_building_process_renders_the_first_pages_and_the_process_the_last(kb):
    pages = work(kb)
    expected = expected_bodies(kb)
    worker = BuildWorker()
    worker.start(kb, "fr", DAY, True, pages)
    got = [worker.body(path) for path, *_ in pages]  # in MkDocs' order, without waiting
    worker.finish()
    assert got == [Body.of(expected[path]) for path, *_ in pages]
    assert worker.rendered_here >= 1  # the first page MkDocs asks for is the process's last


def test_the_process_stops_rendering_when_told(kb):
    """Told STOP, the process sends DONE without rendering the pages left (the building process has them)."""
    pages = work(kb) * 200  # 3,200 pages: seconds of work
    process = subprocess.Popen([os.sys.executable, "-m", "scopekb.mkdocs_plugin.worker"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    pickle.dump(("work", kb, "fr", DAY, True, pages), process.stdin)
    process.stdin.flush()
    first = pickle.load(process.stdout)
    assert first[0] == "bodies" and first[1][0][0] == pages[-1][0]  # from the last page
    pickle.dump(("stop",), process.stdin)
    process.stdin.close()
    sent = len(first[1])
    while (message := pickle.load(process.stdout))[0] == "bodies":
        sent += len(message[1])
    assert message == ("done",)
    assert process.wait(timeout=30) == 0
    assert sent < len(pages) / 2, sent


@pytest.mark.parametrize("with_html", [False, True], ids=["no article rendered", "an article's HTML"])
def test_the_process_makes_the_search_index_of_the_building_process(kb, with_html):
    from scopekb.kb.articles import with_articles
    from scopekb.site.search import search_index

    kb = with_articles(kb, REPO)
    articles = {kb.articles[0].page: "<p>Relancer le spouleur zqxw</p>"} if with_html else {}
    worker = BuildWorker()
    worker.start(kb, "fr", DAY, True, work(kb))
    worker.index(articles)
    for path, *_ in work(kb):
        worker.body(path)
    worker.finish()
    expected = search_index(SiteContext(kb, "fr", DAY, True), articles).files()
    assert worker.search_files == expected and len(expected) >= 2
    assert ("zqxw" in "".join(expected.values())) == with_html


def test_a_process_told_to_end_before_any_work_ends_quietly():
    worker = BuildWorker()
    worker.finish()  # raises nothing
    assert worker.process.wait(timeout=30) == 0


def test_stop_ends_the_process_at_once(kb):
    worker = BuildWorker()
    worker.start(kb, "fr", DAY, True, work(kb) * 200)
    worker.stop()
    assert worker.process.poll() is not None


def test_the_pipe_from_the_process_holds_many_pages():
    """With Linux's 64 KiB, the process waited for the building process to read every eight pages."""
    import fcntl

    worker = BuildWorker()
    try:
        assert fcntl.fcntl(worker.process.stdout.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 20
    finally:
        worker.finish()


def test_each_message_reaches_the_process_at_once(monkeypatch):
    """A message's last bytes must not wait in a buffer: the process would wait for them, and the build for
    the process (a 5,000-client build hung so, its knowledge base all sent but its last few bytes)."""
    readable, writable = os.pipe()

    class Process:
        stdin = open(writable, "wb")
        stdout, stderr = io.BytesIO(pickle.dumps(("done",))), io.BytesIO()

        def wait(self):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", lambda *args, **kwargs: Process())
    pipe = open(readable, "rb")
    received: list = []
    reader = threading.Thread(target=lambda: received.extend(pickle.load(pipe) for _ in range(2)), daemon=True)
    reader.start()
    worker = BuildWorker()
    worker.outbox.put(("work", "x" * 100_001))  # more than a buffer, and a tail
    worker.outbox.put(("a page",))
    reader.join(10)
    assert received == [("work", "x" * 100_001), ("a page",)]  # both whole, before the end of the build
    worker.outbox.put(None)
    worker.talk.join(10)


def test_the_process_dies_with_the_building_process(tmp_path):
    """PR_SET_PDEATHSIG: a build killed by SIGKILL leaves no second process behind."""
    script = tmp_path / "parent.py"
    script.write_text("import sys, time\nfrom scopekb.mkdocs_plugin.worker import BuildWorker\n"
                      "worker = BuildWorker()\nprint(worker.process.pid, flush=True)\ntime.sleep(60)\n")
    parent = subprocess.Popen([os.sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait(timeout=30)
    for _ in range(100):
        if not Path(f"/proc/{child}").exists() or "State:\tZ" in Path(f"/proc/{child}/status").read_text():
            break
        threading.Event().wait(0.1)
    else:
        pytest.fail("the second process outlived the build")


def test_site_context_renders_the_same_in_both_processes(kb):
    site = SiteContext(kb, "fr", DAY, True)
    assert site.t("tree.title", client="X") == "Arbre de décision : X"


def test_pages_arrive_whole_when_the_process_is_stopped_while_it_writes(kb, monkeypatch):
    """Under PYTHONUNBUFFERED, Python gives a process an unbuffered stdout, which may write part of what it
    is given: a write into a full pipe that a signal interrupts (a stop and continue, as from a profiler,
    a debugger or a shell) wrote part of a page, the rest was lost, and the build read garbage, then hung."""
    import signal

    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    reading = threading.Event()
    listen = BuildWorker._listen
    monkeypatch.setattr(BuildWorker, "_listen", lambda self: (reading.wait(60), listen(self)))
    pages = work(kb) * 60  # several times what the pipe holds
    worker = BuildWorker()
    worker.start(kb, "fr", DAY, True, pages)
    try:
        for _ in range(40):  # the process fills the pipe, then waits in a write, which each stop interrupts
            threading.Event().wait(0.05)
            os.kill(worker.process.pid, signal.SIGSTOP)
            os.kill(worker.process.pid, signal.SIGCONT)
    finally:
        reading.set()
    finishing = threading.Thread(target=worker.finish, daemon=True)
    finishing.start()
    finishing.join(60)
    assert not finishing.is_alive(), "the build would wait for ever"
    assert worker.outcome == ("done",)
    expected = expected_bodies(kb)
    assert {path: body for path, body in worker.bodies.items()} == {path: Body.of(html) for path, html in expected.items()}


def test_output_that_cannot_be_read_fails_the_build_instead_of_hanging(monkeypatch):
    """The process goes on (it may be waiting to write more): the build ends it rather than wait for its
    end to read why it failed."""
    popen = subprocess.Popen
    garbage = "import sys, time; sys.stdout.buffer.write(b'not a pickle'); sys.stdout.flush(); time.sleep(60)"
    monkeypatch.setattr(subprocess, "Popen", lambda args, **kwargs: popen([os.sys.executable, "-c", garbage], **kwargs))
    worker = BuildWorker()
    worker.listen.join(30)
    assert not worker.listen.is_alive(), "the build would wait for ever"
    assert worker.outcome[0] == "error"
    assert str(worker.outcome[1]).startswith("the build's second process failed: its output could not be read (")
    assert worker.process.poll() is not None
