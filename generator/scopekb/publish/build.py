"""`scopekb build` and `render`: the site, published only once complete.

The knowledge base is loaded and checked before anything is written; the site
is built into a staging folder beside the published one and swapped in with
one atomic step (swap.py): bad data, a failed build or a killed one leave the
previous site as it was.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from scopekb import clock
from scopekb.errors import writing
from scopekb.kb.articles import with_articles
from scopekb.kb.load import load_knowledge_base
from scopekb.mkdocs_plugin import engine
from scopekb.mkdocs_plugin.worker import BuildWorker
from scopekb.publish.swap import discard, publish, staging_folder, stopping_on_sigterm
from scopekb.site.pages import render_site


@dataclass(frozen=True)
class BuildSummary:
    clients: int
    pages: int
    seconds: float
    site_dir: Path
    # what the build loaded, for the client sites built after it (publish/client_sites.py)
    kb: object = field(default=None, repr=False, compare=False)
    config: object = field(default=None, repr=False, compare=False)

    def line(self) -> str:
        clients = f"{self.clients} client" + ("s" if self.clients != 1 else "")
        return f"site built: {clients}, {self.pages} pages in {self.seconds:.1f} s -> {self.site_dir}"


class Progress:
    """One status line on stderr: rewritten in place on a terminal, a line per stage otherwise."""

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream, self.live = stream, stream.isatty()
        self.last_stage = ""

    def update(self, stage: str, done: int = 0, total: int = 0) -> None:
        if self.live:
            count = f" {done}/{total}" if total else ""
            self.stream.write(f"\r\033[K{stage}{count}")
            self.stream.flush()
        elif stage != self.last_stage:
            self.stream.write(f"{stage}\n")
        self.last_stage = stage

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()


def count_pages(site_dir: Path) -> int:
    return sum(1 for _ in site_dir.rglob("*.html")) - (1 if (site_dir / "404.html").exists() else 0)


def build_site(root: Path, progress: Progress | None = None) -> BuildSummary:
    """Build the internal site into the site_dir of root's mkdocs.yml (site/internal/)."""
    started = time.perf_counter()
    root = Path(root).resolve()
    clock.today()  # a SOURCE_DATE_EPOCH that is not a date: one error line, before anything starts
    show = progress.update if progress else (lambda *args: None)
    with stopping_on_sigterm():
        # The second process starts first: its start-up overlaps MkDocs' import and the loading here.
        worker = BuildWorker()
        fresh = None
        try:
            show("loading contracts")
            kb = with_articles(load_knowledge_base(root, check_elsewhere=worker.check_files), root)
            worker.get_ready()
            worker.give(kb)
            config = engine.load_config(root)
            final = Path(config.site_dir)
            # The line of site_dir is looked for only on a failure: a build reads mkdocs.yml once.
            with writing(lambda: engine.setting_place(root, "site_dir"), final):
                fresh = staging_folder(final)
            show("building pages")
            engine.run_build(config, kb, worker, fresh, lambda done, total: show("building pages", done, total),
                             published=final)
            pages = count_pages(fresh)
            publish(fresh, final)
        except BaseException:
            worker.stop()
            if fresh is not None:
                discard(fresh, final)
            raise
    if progress:
        progress.close()
    return BuildSummary(len(kb.clients), pages, time.perf_counter() - started, final, kb, config)


def render_to_dir(root: Path, audience: str, out: Path, lang: str | None = None) -> int:
    """Write the generated pages and assets as plain files under `out`; returns how many."""
    # `out` itself is not resolved: once published it is a link, and the next render must replace the
    # link, not the folder it points to (which made a chain of links, one more each time).
    root, out = Path(root).resolve(), Path(os.path.abspath(out))
    kb = load_knowledge_base(root)
    files = render_site(kb, audience, lang or engine.site_language(root))
    with stopping_on_sigterm():
        fresh = staging_folder(out)
        try:
            for path, content in files.items():
                target = fresh / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content, encoding="utf-8")
            publish(fresh, out)
        except BaseException:
            discard(fresh, out)
            raise
    return len(files)
