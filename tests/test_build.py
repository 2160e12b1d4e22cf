"""Building the site: the MkDocs plugin under `mkdocs build`, and `scopekb build`, `serve` and `render`.

Every test works on a copy of the repository's example (mkdocs.yml,
contracts/, content/) in a temporary folder, as a user's knowledge base.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import pickle
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from markdown import Markdown
from mkdocs.structure.pages import Page

from scopekb.mkdocs_plugin import engine
from scopekb.mkdocs_plugin import plugin
from scopekb.mkdocs_plugin import frame as plugin_frame
from scopekb.mkdocs_plugin import pages as plugin_pages
from scopekb.site import pages as render
from scopekb.site import context
from scopekb.site import trees
from scopekb.kb.model import slugify
from scopekb.publish.build import build_site
from scopekb.mkdocs_plugin.search_entries import PageToIndex, merge_search_entries
from scopekb.mkdocs_plugin.worker import BuildWorker
from scopekb.kb.load import load_knowledge_base
from scopekb.mkdocs_plugin.plugin import site_language

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
SLUGS = ["cabinet-dupont-associes", "clinique-veterinaire-des-chataigniers", "coop-val-de-loire",
         "editions-marchand-cie", "garage-rousseau-freres", "hotel-le-belvedere", "menuiserie-berard-fils",
         "office-notarial-garnier-roux"]


def make_root(folder: Path, language: str | None = None) -> Path:
    """A knowledge-base folder like the repository: mkdocs.yml, contracts/, content/."""
    shutil.copytree(REPO / "contracts", folder / "contracts")
    shutil.copytree(REPO / "content", folder / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", "")
    if language:
        config = config.replace("  language: fr\n", f"  language: {language}\n")
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The example site built by plain `mkdocs build` into a folder of the test's choosing."""
    root = make_root(tmp_path_factory.mktemp("kb"))
    content_before = snapshot(root / "content")
    site = root.parent / "out"
    result = run(sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), "-d", str(site))
    assert result.returncode == 0, result.stderr
    assert snapshot(root / "content") == content_before  # nothing written into docs_dir
    return site


def test_mkdocs_build_makes_every_page(built):
    for slug in SLUGS:
        page = (built / context.client_html(slug)).read_text(encoding="utf-8")
        assert f'data-client="{slug}"' in page and 'id="scopekb-checker-data"' in page
        tree = (built / context.tree_page(slug)).read_text(encoding="utf-8")
        assert tree.startswith("<!doctype html>") and tree.rstrip().endswith("</html>")
        assert 'class="scopekb-question"' in tree and 'class="scopekb-leaf ' in tree
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'id="scopekb-finder-input"' in home and 'class="scopekb-overview"' in home
    assert "FICHE D'ASSISTANCE UTILISATEUR" in (built / "accueil-appel" / "index.html").read_text(encoding="utf-8")
    for asset in ("finder-index.js", "finder.js", "scopekb.css", "checker-shared.js", "checker.js"):
        assert (built / "assets" / "scopekb" / asset).is_file()
    assert 'assets/scopekb/finder.js' in home and 'assets/scopekb/scopekb.css' in home
    # The checker's shared data loads before the checker, which reads it when it starts.
    assert home.index("assets/scopekb/checker-shared.js") < home.index("assets/scopekb/checker.js")
    assert (built / "scenarios" / "outlook-ne-demarre-plus" / "index.html").is_file()


def test_client_pages_stay_out_of_the_navigation(built):
    home = (built / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<div class="md-sidebar md-sidebar--primary".*?<div class="md-sidebar md-sidebar--secondary"',
                    home, re.S).group(0)
    assert "accueil-appel/" in nav and "scenarios/" in nav
    assert "clients/" not in nav
    page = (built / context.client_html("menuiserie-berard-fils")).read_text(encoding="utf-8")
    assert page.count("clients/") < 20  # no sidebar listing the other clients


def test_client_page_has_title_toc_and_html(built):
    page = (built / context.client_html("menuiserie-berard-fils")).read_text(encoding="utf-8")
    assert re.search(r"<title>Menuiserie Bérard &(amp;)? Fils - ", page)
    assert re.search(r'<h1 id="[^"]+">Menuiserie Bérard &amp; Fils<', page)
    toc = re.search(r'<nav class="md-nav md-nav--secondary".*?</nav>', page, re.S).group(0)
    assert 'href="#contracts"' in toc and 'href="#ctr-2025-011"' in toc
    assert "SCOPEKBGENERATEDHTML" not in page and "scopekb: generated HTML" not in page


def test_full_text_search_finds_clients_and_articles(built):
    index = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["fr"]
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert {context.client_html(slug) for slug in SLUGS} <= locations
    assert "scenarios/outlook-ne-demarre-plus/" in locations and "accueil-appel/" in locations
    assert "" not in locations  # the home page: the finder does that job
    texts = " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"])
    assert "PRN-0107" in texts and "Menuiserie Bérard" in texts
    # The checker's data is not text of the pages: none of its keys is in the index.
    for key in ("scopekb-checker-data", '"catalog"', '"contracts"', '"may_propose"', '"names"'):
        assert key not in texts, key


def test_table_cells_are_separate_words_in_the_search_index(built):
    """Material's indexer joins the texts of adjacent table cells: "Serveurs" then "tous ceux de la
    catégorie" would be the one word "serveurstous", which no search finds."""
    index = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    kb = load_knowledge_base(REPO)
    checked = 0
    for slug in SLUGS:
        client = kb.clients[slug]
        docs = {doc["location"]: doc["text"] for doc in index["docs"]
                if doc["location"].startswith(context.client_html(slug) + "#")}
        for contract in client.contracts:
            anchor = context.client_html(slug) + "#" + slugify(contract.id)
            cells = [kb.provider.catalog[entry.category].label for entry in contract.scope]
            cells += [entry.level.upper() for entry in contract.scope]
            words = set(separator.split(docs[f"{anchor}-perimeter"].lower()))
            if contract.equipment:
                cells += [text for asset in contract.equipment for text in (asset.id, asset.model) if text]
                words |= set(separator.split(docs[f"{anchor}-equipment"].lower()))
            for cell in cells:
                for word in separator.split(cell.lower()):
                    assert word in words, (anchor, cell, word)
                    checked += 1
    assert checked > 100


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_scopekb_build_shows_progress_and_a_summary(tmp_path):
    root = make_root(tmp_path)
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(rf"site built: 8 clients, \d+ pages in [\d.]+ s -> {re.escape(str(root))}/site/internal\n",
                        result.stdout)
    assert "loading contracts" in result.stderr and "building pages" in result.stderr
    assert (root / "site" / "internal" / context.client_html("hotel-le-belvedere")).is_file()
    assert site_folder_entries(root) == ["internal -> its build"]  # no build folder left behind
    # readable by a web server running as another user, like a folder made by mkdir
    assert (root / "site" / "internal").stat().st_mode & 0o777 == 0o777 & ~current_umask()


def test_bad_data_exits_2_and_keeps_the_previous_site(tmp_path):
    root = make_root(tmp_path)
    assert run("scopekb", "build", "--root", str(root)).returncode == 0
    before = snapshot(root / "site" / "internal")
    contract = root / "contracts" / "hotel-le-belvedere-ctr-2023-008.yaml"
    contract.write_text(contract.read_text(encoding="utf-8").replace("level: n1", "level: n9", 1), encoding="utf-8")
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line != "loading contracts"]
    assert errors and all(re.match(r"contracts/hotel-le-belvedere-ctr-2023-008\.yaml:\d+: scope\[\d\]\.level: ", e)
                          for e in errors), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(root / "site" / "internal") == before
    assert site_folder_entries(root) == ["internal -> its build"]
    # The plugin under plain `mkdocs build` also stops before MkDocs empties the site folder.
    result = run(sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"))
    assert result.returncode != 0 and "scope[0].level" in result.stderr
    assert snapshot(root / "site" / "internal") == before


def test_an_article_that_is_not_utf8_is_named_with_its_line(tmp_path):
    root = make_root(tmp_path)
    assert run("scopekb", "build", "--root", str(root)).returncode == 0
    before = snapshot(root / "site" / "internal")
    (root / "content" / "scenarios" / "latin1.md").write_bytes("# Imprimante\n\nBourrage papier.\nRéglé.\n"
                                                               .encode("latin-1"))
    result = run("scopekb", "build", "--root", str(root))
    assert (result.returncode, result.stdout) == (2, "") and "Traceback" not in result.stderr
    # One line, the progress aside: not MkDocs' own two about the same file first.
    assert [line for line in result.stderr.splitlines() if line not in ("loading contracts", "building pages")] == [
        "content/scenarios/latin1.md:4: document: byte 0xe9 is not UTF-8 text (expected a UTF-8 Markdown file)"]
    assert snapshot(root / "site" / "internal") == before


def test_bad_mkdocs_yml_is_one_error_line(tmp_path):
    root = make_root(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("docs_dir: content", "docs_dir: nowhere"))
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.search(r"^mkdocs\.yml:\d+: docs_dir: .*nowhere.* \(expected .*\)$", result.stderr, re.M), result.stderr
    config.unlink()
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 2 and result.stderr.splitlines()[-1].startswith("mkdocs.yml:1: mkdocs.yml: ")


def test_english_build(tmp_path):
    root = make_root(tmp_path, language="en")
    assert site_language("en") == "en" and site_language("fr-CA") == "fr" and site_language(None) == "fr"
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    site = root / "site" / "internal"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in home and "Find a client" in home and "Clients overview" in home
    client = (site / context.client_html("menuiserie-berard-fils")).read_text(encoding="utf-8")
    assert "Perimeter" in client and "Escalation team: " in client and "assets/scopekb/checker-shared.js" in client
    checker_shared = (site / "assets" / "scopekb" / "checker-shared.js").read_text(encoding="utf-8")
    assert '"lang":"en"' in checker_shared and '"verdict.out-of-scope":"OUT OF SCOPE"' in checker_shared
    tree = (site / context.tree_page("menuiserie-berard-fils")).read_text(encoding="utf-8")
    assert "OUT OF SCOPE" in tree and "What does the request concern?" in tree
    assert "USER ASSISTANCE FORM" in (site / "accueil-appel" / "index.html").read_text(encoding="utf-8")


def test_render_writes_plain_files(tmp_path):
    root = make_root(tmp_path / "kb")
    out = tmp_path / "pages"
    result = run("scopekb", "render", "--audience", "internal", "--out", str(out), "--root", str(root))
    assert result.returncode == 0, result.stderr
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {render.HOME_PAGE, render.CALL_PAGE, render.FINDER_INDEX} <= written
    assert {context.client_page(s) for s in SLUGS} | {context.tree_page(s) for s in SLUGS} <= written
    assert result.stdout == f"wrote {len(written)} files to {out}\n"
    assert out.stat().st_mode & 0o777 == 0o777 & ~current_umask()
    (out / "stale.md").write_text("old")
    assert run("scopekb", "render", "--out", str(out), "--root", str(root), "--lang", "en").returncode == 0
    assert not (out / "stale.md").exists() and "Find a client" in (out / "index.md").read_text()
    result = run("scopekb", "render", "--out", str(out), "--root", str(root), "--lang", "de")
    assert result.returncode == 2 and result.stderr.startswith("command line: --lang: ")


def started(*work) -> BuildWorker:
    worker = BuildWorker()
    worker.start(*work)
    return worker


def test_build_worker_writes_every_tree_or_says_what_failed(tmp_path):
    kb = load_knowledge_base(make_root(tmp_path / "kb"))
    day = dt.date(2025, 6, 1)
    worker = started(kb, "en", day, False, tmp_path / "site")
    assert worker.finish() == (len(kb.clients), {})
    expected = dict(trees.tree_pages(kb, "en", day, False))
    assert {p: (tmp_path / "site" / p).read_text(encoding="utf-8") for p in expected} == expected
    (tmp_path / "blocked").write_text("a file where a folder should be")
    worker = started(kb, "fr", day, True, tmp_path / "blocked", SEARCH_CONFIG)
    worker.index(PageToIndex("clients/x.html", "X", {}, "<h1 id='x'>X</h1><p>text</p>"))
    with pytest.raises(OSError):
        worker.finish()
    worker = started(kb, "fr", day, True, tmp_path / "blocked")
    assert worker.finish(raise_error=False) == (0, {})  # after a failed build: waits, raises nothing
    worker = BuildWorker()
    assert worker.finish() == (0, {})  # stopped before it had work: its process ends
    assert worker.process.wait(timeout=30) == 0


def forbid_processes(monkeypatch) -> None:
    """As on a system where no process can start: the build does the second process's work itself."""
    def no_process(*args, **kwargs):
        raise OSError("no process here")
    monkeypatch.setattr(subprocess, "Popen", no_process)


def example_pages(tmp_path, monkeypatch, process: bool):
    """The example knowledge base, a day, and its generated pages that day; no process can start unless
    `process`."""
    if not process:
        forbid_processes(monkeypatch)
    kb = load_knowledge_base(make_root(tmp_path / "kb"))
    day = dt.date(2025, 6, 1)
    return kb, day, render.render_site(kb, "internal", "fr", day, trees=False)


@pytest.mark.parametrize("process", [True, False], ids=["in a second process", "where no process starts"])
def test_build_worker_gives_each_client_page_its_html(tmp_path, monkeypatch, process):
    kb, day, pages = example_pages(tmp_path, monkeypatch, process)
    worker = started(kb, "fr", day, True, tmp_path / "site")
    for slug in reversed(list(kb.clients)):  # in any order
        assert worker.body(slug) == context.split_html_page(pages[context.client_page(slug)])[1]
    assert worker.finish() == (len(kb.clients), {})


def test_build_worker_shares_the_tree_pages_left(tmp_path):
    kb = load_knowledge_base(make_root(tmp_path / "kb"))
    day = dt.date(2025, 6, 1)
    worker = started(kb, "en", day, False, tmp_path / "site")
    worker.share_trees()  # at once: the process has written few if any, this one writes the second half
    assert worker.split_at is not None and worker.trees_here == len(kb.clients) - worker.split_at > 0
    assert worker.finish() == (len(kb.clients), {})
    expected = dict(trees.tree_pages(kb, "en", day, False))
    assert {p: (tmp_path / "site" / p).read_text(encoding="utf-8") for p in expected} == expected
    later = started(kb, "en", day, False, tmp_path / "again")
    assert later.finish() == (len(kb.clients), {})
    later.share_trees()  # once the process is done: nothing left to share
    assert later.trees_here == 0


def body_failure(worker: BuildWorker, slug: str) -> str:
    """What body(slug) raises, asked in a thread that must not wait for ever; finish() raises too."""
    raised: list = []

    def ask():
        try:
            worker.body(slug)
        except RuntimeError as error:
            raised.append(str(error))
    asking = threading.Thread(target=ask, daemon=True)
    asking.start()
    asking.join(30)
    assert not asking.is_alive(), "the build would wait for ever"
    with pytest.raises(RuntimeError):
        worker.finish()
    return raised[0] if raised else ""


def test_build_worker_works_on_the_knowledge_base_given_ahead_without_getting_it_twice(tmp_path):
    kb = load_knowledge_base(make_root(tmp_path / "kb"))
    day = dt.date(2025, 6, 1)
    worker = BuildWorker()
    sent: list = []
    put = worker.outbox.put
    worker.outbox.put = lambda message: sent.append(message) or put(message)
    worker.give(kb)
    worker.start(kb, "en", day, False, tmp_path / "site")
    assert [type(m[0]).__name__ for m in sent] == ["str", "tuple"] and sent[0] == ("knowledge base", kb)
    assert sent[1][0][0] is None  # the work, without the knowledge base
    slug = next(iter(kb.clients))
    assert worker.body(slug) == render.client_body(context.SiteContext(kb, "en", day, False), kb.clients[slug])
    assert worker.finish() == (len(kb.clients), {})
    assert (tmp_path / "site" / context.tree_page(slug)).read_text(encoding="utf-8") == \
        dict(trees.tree_pages(kb, "en", day, False))[context.tree_page(slug)]


def test_the_pipe_from_the_build_worker_holds_many_client_pages():
    """With Linux's 64 KiB, the process waited for the building process to read every eight pages."""
    import fcntl

    worker = BuildWorker()
    try:
        assert fcntl.fcntl(worker.process.stdout.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 20
    finally:
        assert worker.finish() == (0, {})


@pytest.mark.parametrize("noticed", [False, True], ids=["dies", "died before the build gave it work"])
def test_build_worker_that_dies_fails_the_build_instead_of_hanging(tmp_path, noticed):
    kb = load_knowledge_base(make_root(tmp_path / "kb"))
    worker = BuildWorker()
    worker.process.kill()
    if noticed:
        worker.listen.join(30)
    worker.start(kb, "fr", dt.date(2025, 6, 1), True, tmp_path / "site")
    assert body_failure(worker, next(iter(kb.clients))).startswith("the build's second process")


def test_work_that_cannot_be_sent_fails_the_build_instead_of_hanging(tmp_path):
    kb = load_knowledge_base(make_root(tmp_path / "kb"))
    worker = BuildWorker()
    worker.start(kb, "fr", dt.date(2025, 6, 1), True, tmp_path / "site", {"lang": ["fr"], "cannot": lambda: 0})
    assert body_failure(worker, next(iter(kb.clients))).startswith("the build's second process got no work: ")


def test_each_message_reaches_the_process_at_once(monkeypatch):
    """A message's last bytes must not wait in a buffer: the process would wait for them, and the build for
    the process (a 5,000-client build hung so, its knowledge base all sent but its last few bytes)."""
    readable, writable = os.pipe()

    class Process:
        stdin = open(writable, "wb")
        stdout, stderr = io.BytesIO(pickle.dumps(("done", (0, {})))), io.BytesIO()

        def wait(self):
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


SEARCH_CONFIG = {"lang": ["fr"], "separator": r"[\s\-]+", "pipeline": None, "fields": {}}


@pytest.mark.parametrize("process", [True, False], ids=["in a second process", "where no process starts"])
def test_build_worker_indexes_pages_as_material_does(tmp_path, monkeypatch, process):
    from material.plugins.search.plugin import SearchIndex

    kb, day, pages = example_pages(tmp_path, monkeypatch, process)
    headings = {slug: (context.client_html(slug), f"T{n}", f'<h1 id="t{n}">T{n} &amp; co</h1>')
                for n, slug in enumerate(kb.clients)}
    other = PageToIndex("other.html", "O", {"tags": ["t"]}, '<h2 id="b">B &amp; C</h2><p>un <b>mot</b></p>')
    expected = {}
    for slug, (url, title, heading) in headings.items():
        body = context.split_html_page(pages[context.client_page(slug)])[1]
        expected[url] = PageToIndex(url, title, {}, f"{heading}\n{body}")
    expected[other.url] = PageToIndex(other.url, other.title, other.meta, other.content)
    for url, page in expected.items():
        index = SearchIndex(**SEARCH_CONFIG)
        index.add_entry_from_context(page)
        expected[url] = index.entries
    worker = started(kb, "fr", day, True, tmp_path / "site", SEARCH_CONFIG)
    worker.index_clients(headings)
    worker.index(other)
    trees, entries = worker.finish()
    assert trees == len(kb.clients) and entries == expected
    assert entries["other.html"] == [{"location": "other.html", "title": "O", "text": "", "tags": ["t"]},
                                     {"location": "other.html#b", "title": "B &amp; C", "text": "<p>un mot</p>",
                                      "tags": ["t"]}]
    assert len(list((tmp_path / "site").glob(context.tree_page("*")))) == len(kb.clients)



def test_the_second_process_spreads_its_indexing_and_shares_trees_so_both_end_together():
    from scopekb.mkdocs_plugin.search_entries import CLIENTS, END, SPLIT, Indexer

    inbox, out = queue.Queue(), io.BytesIO()
    indexer = Indexer(SEARCH_CONFIG, inbox, out, trees=10)
    pages = {f"c{n}": (f"clients/c{n}.html", f"C{n}", f'<h1 id="c{n}">C{n}</h1>') for n in range(20)}
    indexer.bodies = {slug: "<h2 id=\"a\">A</h2>\n<p>x</p>" for slug in pages}
    inbox.put((CLIENTS, pages))
    assert indexer.until(0) is None  # before the first tree page: 20 pages over 10 tree pages
    assert list(indexer.entries) == ["clients/c0.html", "clients/c1.html"] and len(indexer.pending) == 18
    indexer.until(1)
    assert len(indexer.entries) == 4
    # Measured so far: 2 tree pages in 2 s here, 4 pages indexed in 2 s. Left: 8 tree pages, and 16 pages
    # to index (8 s): the building process takes all 8 tree pages.
    indexer.seconds, indexer.done, indexer.pending[16:] = {"tree": 2.0, "page": 2.0}, {"tree": 2, "page": 4}, []
    inbox.put(SPLIT)
    assert indexer.until(2) == 2 and pickle.loads(out.getvalue()) == (SPLIT, 2)
    assert len(indexer.pending) == 16  # none indexed before a tree page this process no longer writes
    indexer.seconds, indexer.done = {"tree": 3.0, "page": 2.0}, {"tree": 3, "page": 4}  # 1 s a tree page
    indexer.pending[4:] = []  # 2 s of indexing left: of 8 tree pages, this process keeps 3 (3 + 2 = 5 s)
    assert indexer.split_at() == 5
    indexer.pending = []
    assert indexer.split_at() == 6  # nothing to index: half each
    # Its tree pages done, the process indexes what is left before the building process ends.
    indexer.pending = [("c5", *pages["c5"])]
    rest = threading.Thread(target=indexer.rest, daemon=True)
    rest.start()
    wait_for(lambda: not indexer.pending, seconds=10)
    assert rest.is_alive() and list(indexer.entries)[-1] == "clients/c5.html"
    inbox.put(END)
    rest.join(10)
    assert not rest.is_alive()

def test_merge_search_entries_puts_each_page_where_material_would(tmp_path):
    index_file = tmp_path / "search_index.json"
    docs = [{"location": "a/", "title": "A", "text": ""}, {"location": "a/#x", "title": "X", "text": "x"},
            {"location": "c/", "title": "C", "text": ""}, {"location": "old/", "title": "Old", "text": ""}]
    index_file.write_text(json.dumps({"config": {"lang": ["fr"]}, "docs": docs}))
    merge_search_entries(index_file, ["a/", "b.html", "c/"],
                         {"b.html": [{"location": "b.html", "title": "B", "text": "b"}]})
    merged = json.loads(index_file.read_text())
    assert [d["location"] for d in merged["docs"]] == ["a/", "a/#x", "b.html", "c/", "old/"]
    assert merged["config"] == {"lang": ["fr"]}


@pytest.mark.parametrize("language, where", [("fr", "apart"), ("en", "apart"), ("fr", "here")])
def test_the_search_index_is_the_one_material_makes_alone(tmp_path, monkeypatch, language, where):
    """Pages indexed apart land in the index as Material would have put them, byte for byte."""
    root = make_root(tmp_path / "kb", language)
    index = root / "site" / "internal" / "search" / "search_index.json"
    if where == "here":  # as if another plugin had changed every client page: indexed in the building process
        monkeypatch.setattr(plugin_pages.ClientPage, "as_rendered", lambda page: False)
    build_site(root)
    shared = index.read_bytes()
    assert len(json.loads(shared)["docs"]) > 100
    monkeypatch.setattr(plugin, "SearchPlugin", type("NotMaterials", (), {}))  # Material indexes every page
    build_site(root)
    assert index.read_bytes() == shared


def test_a_client_page_knows_when_it_holds_what_it_was_rendered_with(tmp_path):
    from mkdocs.structure.files import File

    config = engine.load_config(make_root(tmp_path / "kb"))
    file = File("clients/x.md", src_dir=None, dest_dir=str(tmp_path / "site"), use_directory_urls=True)
    file.content_string = context.html_page("X & Y", "")
    page = plugin_pages.ClientPage(file, config, Markdown(extensions=["toc"]), "x")
    page.read_source(config)
    page.render(config, None)
    assert page.waits_for_body and page.title == "X &amp; Y" and page.content == page.heading + "\n"
    assert page.meta == {"template": plugin_frame.TEMPLATE}  # for MkDocs to pick, then gone
    page.picked_template()
    assert page.meta == {}
    page.add_body('<h2 id="a">A<a class="headerlink" href="#a" title="Lien">¶</a></h2>\n')
    assert page.as_rendered() and [item.title for item in page.toc.items[0].children] == ["A"]
    page.content = page.content.replace("A<", "B<")  # another plugin's change
    assert not page.as_rendered()


def test_a_build_from_a_script_without_a_main_guard(tmp_path):
    """The tree pages' process must not run the building program again, as multiprocessing's spawn does."""
    root = make_root(tmp_path / "kb")
    script = tmp_path / "build_it.py"
    script.write_text(f"from pathlib import Path\nfrom scopekb.publish.build import build_site\n"
                      f"print(build_site(Path({str(root)!r})).pages)\n", encoding="utf-8")
    result = run(sys.executable, str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().isdigit()
    for slug in SLUGS:
        assert (root / "site" / "internal" / context.tree_page(slug)).is_file()


def test_commands_explain_themselves():
    for command in ("build", "serve", "render"):
        result = run("scopekb", command, "--help")
        assert result.returncode == 0 and "Examples:" in result.stdout and "--root" in result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(condition, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    return None


def test_serve_rebuilds_when_a_contract_changes(tmp_path):
    root = make_root(tmp_path)
    address = f"127.0.0.1:{free_port()}"
    server = subprocess.Popen(["scopekb", "serve", "--root", str(root), "--addr", address], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        index_url = f"http://{address}/{render.FINDER_INDEX}"
        assert "hotel le belvedere" in (wait_for(lambda: fetch(index_url)) or "")
        contract = root / "contracts" / "hotel-le-belvedere-ctr-2023-008.yaml"
        text = contract.read_text(encoding="utf-8")
        contract.write_text(text.replace("aliases:\n", "aliases:\n    - Auberge du Lac Tranquille\n", 1),
                            encoding="utf-8")
        assert wait_for(lambda: "auberge du lac tranquille" in (fetch(index_url) or ""))
        # the decision-tree pages, which a process of their own writes, are served too
        tree = fetch(f"http://{address}/{context.tree_page('hotel-le-belvedere')}") or ""
        assert 'class="scopekb-question"' in tree
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (root / "site").exists()  # serving builds elsewhere


def test_serve_refuses_bad_data(tmp_path):
    root = make_root(tmp_path)
    (root / "contracts" / "broken.yaml").write_text("id: [unclosed\n")
    result = run("scopekb", "serve", "--root", str(root), "--addr", f"127.0.0.1:{free_port()}")
    assert result.returncode == 2 and result.stderr.startswith("contracts/broken.yaml:1: ")


def local_links(site: Path, page: Path):
    """(href, file it names) for every relative link of a built page."""
    for href in re.findall(r'<a [^>]*href="([^"#]+)', page.read_text(encoding="utf-8")):
        if not re.match(r"[a-z]+:", href):
            target = (page.parent / href).resolve()
            yield href, target / "index.html" if href.endswith("/") or target.is_dir() else target


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_link_of_the_generated_pages_leads_somewhere(tmp_path, directory_urls):
    root = make_root(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"use_directory_urls: {str(directory_urls).lower()}\n")
    assert run("scopekb", "build", "--root", str(root)).returncode == 0
    site = root / "site" / "internal"
    pages = [site / "index.html", *site.glob("accueil-appel*.html"), *site.glob("accueil-appel/index.html")]
    pages += [*(site / "clients").glob("*.html"), *(site / "arbres").glob("*.html")]
    assert len(pages) == 2 + 2 * len(SLUGS)
    checked = 0
    for page in pages:
        for href, target in local_links(site, page):
            assert target.is_file(), f"{page.relative_to(site)}: {href}"
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("toc", ["permalink: true", "{permalink: '§', permalink_title: Lien, separator: _}"])
def test_client_pages_are_those_mkdocs_makes_with_a_parser_per_page(tmp_path, monkeypatch, toc):
    """ClientPage renders the title with one shared Markdown parser: the pages are those of MkDocs' own way."""
    root = make_root(tmp_path / "kb")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - toc:\n      permalink: true\n",
                                                                 f"  - toc: {toc}\n" if "{" in toc else
                                                                 f"  - toc:\n      {toc}\n"))
    build_site(root)
    site = root / "site" / "internal"
    shared = {p: (site / p).read_bytes() for p in map(context.client_html, SLUGS)}
    # No ClientPage made: MkDocs makes the client pages as it makes any other, a Markdown parser each.
    monkeypatch.setattr(plugin, "ClientPage", type("NotMade", (Page,), {"__init__": lambda *args: None}))
    build_site(root)
    assert {p: (site / p).read_bytes() for p in shared} == shared
    if "§" in toc:
        assert b'title="Lien">\xc2\xa7</a></h1>' in shared[context.client_html("menuiserie-berard-fils")]


def test_theme_templates_compile_once_and_again_when_changed(tmp_path, monkeypatch):
    import jinja2

    root = make_root(tmp_path / "kb")
    (root / "overrides").mkdir()
    override = root / "overrides" / "main.html"
    override.write_text('{% extends "base.html" %}{% block footer %}<p>one</p>{% endblock %}', encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  font: false",
                                                                 "  font: false\n  custom_dir: overrides"))
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def counted(env, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return compile_template(env, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    build_site(root)
    site = root / "site" / "internal"
    first, compiled_first = snapshot(site), list(compiled)
    assert {"main.html", "base.html", "partials/nav.html"} <= set(compiled_first)
    compiled.clear()
    build_site(root)
    assert snapshot(site) == first and not {"main.html", "base.html", "partials/nav.html"} & set(compiled)
    override.write_text('{% extends "base.html" %}{% block footer %}<p>two</p>{% endblock %}', encoding="utf-8")
    compiled.clear()
    build_site(root)
    assert "main.html" in compiled and "base.html" not in compiled
    assert b"<p>two</p>" in (site / "index.html").read_bytes()
    # Damaged entries are compiled again.
    for entry in (root / plugin.TEMPLATE_CACHE).iterdir():
        entry.write_bytes(entry.read_bytes()[:40])
    build_site(root)
    assert b"<p>two</p>" in (site / "index.html").read_bytes()
    # A cache folder that cannot be written: the build compiles as before.
    shutil.rmtree(root / plugin.TEMPLATE_CACHE)
    (root / plugin.TEMPLATE_CACHE).write_text("not a folder")
    build_site(root)
    assert b"<p>two</p>" in (site / "index.html").read_bytes()


def test_a_first_build_checks_contract_files_in_both_processes(tmp_path, monkeypatch):
    from scopekb.kb import load
    from scopekb.errors import InputError

    plain = make_root(tmp_path / "plain")
    build_site(plain)
    monkeypatch.setattr(load, "SHARED_CHECKS", 1)  # the example's 9 contracts: 3 checked by the second process
    asked: list[list[str]] = []
    check_files = BuildWorker.check_files
    monkeypatch.setattr(BuildWorker, "check_files", lambda self, root, files: asked.append(files)
                        or check_files(self, root, files))
    root = make_root(tmp_path / "kb")
    build_site(root)
    assert len(asked) == 1 and len(asked[0]) == 3
    assert snapshot(root / "site" / "internal") == snapshot(plain / "site" / "internal")
    shutil.rmtree(root / ".scopekb-cache")
    bad = root / asked[0][-1]
    bad.write_text(bad.read_text(encoding="utf-8").replace("level: n1", "level: n9", 1), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        build_site(root)
    with pytest.raises(InputError) as expected:
        load.load_knowledge_base(root, use_cache=False)
    assert raised.value.messages == expected.value.messages and len(asked) == 2


def site_folder_entries(root: Path) -> list[str]:
    """What site/ holds: the published link, shown with its target when that is the one build beside it."""
    entries = sorted((root / "site").iterdir())
    link = root / "site" / "internal"
    if link.is_symlink() and entries == sorted([link, link.resolve()]):
        return ["internal -> its build"]
    return [entry.name for entry in entries]
