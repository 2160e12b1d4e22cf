"""`scopekb build`, `serve` and `render`: the site without having to know MkDocs.

The knowledge base is loaded and checked before anything is written, and a
build goes to a fresh folder next to the site that replaces it only once
complete: bad data or a failed build leave the previous site as it was.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .build_worker import BuildWorker
from .errors import InputError, writing
from .load import load_knowledge_base
from .render import render_site

CONFIG_FILE = "mkdocs.yml"


@dataclass(frozen=True)
class BuildSummary:
    clients: int
    pages: int
    seconds: float
    site_dir: Path

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


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class _HeldErrors(logging.Handler):
    """MkDocs' log during a build: warnings shown as Python shows them when nothing else does, errors
    held back until the build says whether a line of ours tells the same (an article that is not UTF-8)."""

    def __init__(self, stream: TextIO | None = None):
        super().__init__(logging.WARNING)
        self.stream, self.held = stream or sys.stderr, []

    def emit(self, record: logging.LogRecord) -> None:
        if logging.getLogger().handlers:  # the application's logging shows them (Python's last resort would not)
            return
        if record.levelno >= logging.ERROR:
            self.held.append(record.getMessage())
        else:
            self.stream.write(f"{record.getMessage()}\n")

    def show_held(self) -> None:
        for message in self.held:
            self.stream.write(f"{message}\n")
        self.held.clear()


def _config_error(config_file: Path, text: str) -> str:
    """MkDocs' "Config value 'key': problem" as `mkdocs.yml:LINE: key: problem`."""
    match = re.match(r"Config value '([^']+)': (.*)", " ".join(text.split()))
    key, problem = match.groups() if match else ("config", " ".join(text.split()))
    return f"{CONFIG_FILE}:{key_line(config_file, key)}: {key}: {problem.rstrip('.')} (expected a valid MkDocs setting)"


def key_line(config_file: Path, key: str) -> int:
    """The line of `key`'s top-level setting in the configuration file; 1 when it is not there."""
    top_key = re.compile(rf"^{re.escape(key.split('.')[0])}\s*:")
    for number, source_line in enumerate(config_file.read_text("utf-8", "replace").splitlines(), 1):
        if top_key.match(source_line):
            return number
    return 1


def mkdocs_config(root: Path, **overrides):
    """The root's mkdocs.yml, loaded by MkDocs; its problems become one-line input errors."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config_file = root / CONFIG_FILE
    if not config_file.is_file():
        raise InputError([f"{CONFIG_FILE}:1: {CONFIG_FILE}: file not found under {root} "
                          "(expected the site's MkDocs configuration; 'scopekb init DIR' writes one)"])
    collect = _Collect()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collect)
    try:
        config = load_config(str(config_file), **overrides)
    except MkDocsException as error:  # ConfigurationError, or Abort after MkDocs logged the errors
        raise InputError([_config_error(config_file, m) for m in collect.messages or [str(error)]]) from None
    finally:
        mkdocs_log.removeHandler(collect)
    if "scopekb" not in config.plugins:
        raise InputError([f"{CONFIG_FILE}:1: plugins: the scopekb plugin is not listed "
                          "(expected '- scopekb' under plugins)"])
    return config


def fresh_dir(final: Path) -> Path:
    """An empty folder beside `final` to build into, with the permissions of a folder made by mkdir.

    mkdtemp makes it private (0700): once in place of `final`, a web server
    running as another user could not read the site.
    """
    fresh = Path(tempfile.mkdtemp(prefix=f".{final.name}-new-", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    fresh.chmod(0o777 & ~umask)
    return fresh


def replace_dir(new: Path, final: Path) -> None:
    """Put the complete folder `new` in place of `final`, both in the same parent folder."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}-old-{os.getpid()}")
        os.rename(final, old)
    os.rename(new, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def count_pages(site_dir: Path) -> int:
    return sum(1 for _ in site_dir.rglob("*.html")) - (1 if (site_dir / "404.html").exists() else 0)


def build_site(root: Path, progress: Progress | None = None) -> BuildSummary:
    """Build the internal site into the site_dir of root's mkdocs.yml (site/internal/)."""
    started = time.perf_counter()
    root = Path(root).resolve()
    # The second process starts first: its start-up overlaps MkDocs' import and the loading here.
    worker = BuildWorker()
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    show = progress.update if progress else (lambda *args: None)
    show("loading contracts")
    try:
        kb = load_knowledge_base(root, check_elsewhere=worker.check_files)
        worker.get_ready()
        worker.give(kb)
        config = mkdocs_config(root)
        final = Path(config.site_dir)
        # The line of site_dir is looked for only on a failure: a build reads mkdocs.yml once.
        with writing(lambda: f"{CONFIG_FILE}:{key_line(root / CONFIG_FILE, 'site_dir')}: site_dir", final):
            final.parent.mkdir(parents=True, exist_ok=True)
            fresh = fresh_dir(final)
    except BaseException:
        worker.finish(raise_error=False)
        raise
    plugin = config.plugins["scopekb"]
    plugin.knowledge_base, plugin.worker = kb, worker
    plugin.progress = lambda done, total: show("building pages", done, total)
    config.site_dir = str(fresh)
    show("building pages")
    mkdocs_log, held = logging.getLogger("mkdocs"), _HeldErrors()
    mkdocs_log.addHandler(held)
    try:
        build(config)
    except MkDocsException as error:  # PluginError, Abort, BuildError: a message, not a bug
        shutil.rmtree(fresh, ignore_errors=True)
        held.show_held()
        raise InputError([f"{CONFIG_FILE}:1: build: {line}" for line in str(error).splitlines() if line.strip()]
                         or [f"{CONFIG_FILE}:1: build: the MkDocs build failed"]) from None
    except UnicodeDecodeError:  # MkDocs could not read an article: which one, and where in it
        shutil.rmtree(fresh, ignore_errors=True)
        problems = undecodable_articles(root, Path(config.docs_dir))
        if not problems:
            held.show_held()
            raise
        raise InputError(problems) from None  # MkDocs' lines about it are held back: ours says it in one
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        held.show_held()
        raise
    finally:
        mkdocs_log.removeHandler(held)
    held.show_held()
    pages = count_pages(fresh)
    replace_dir(fresh, final)
    if progress:
        progress.close()
    return BuildSummary(len(kb.clients), pages, time.perf_counter() - started, final)


def undecodable_articles(root: Path, docs_dir: Path) -> list[str]:
    """An error line for each Markdown file under `docs_dir` that is not UTF-8 text, at its first bad byte."""
    problems = []
    for path in sorted(docs_dir.rglob("*.md")):
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            rel = path.relative_to(root) if path.is_relative_to(root) else path
            problems.append(f"{rel}:{line}: document: byte 0x{data[error.start]:02x} is not UTF-8 text "
                            "(expected a UTF-8 Markdown file)")
    return problems


def serve_site(root: Path, address: str = "127.0.0.1:8000", open_browser: bool = False) -> None:
    """Serve the site and rebuild it whenever a contract, an article or a template changes."""
    from mkdocs.commands.serve import serve

    root = Path(root).resolve()
    load_knowledge_base(root)  # bad data: exit 2 now rather than serve a broken site
    mkdocs_config(root)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.INFO)
    serve(config_file=str(root / CONFIG_FILE), dev_addr=address, open_in_browser=open_browser)


def site_language(root: Path) -> str:
    """The language of root's mkdocs.yml (theme.language, or the scopekb plugin's), else French."""
    from .plugin import site_language as language_of

    if not (root / CONFIG_FILE).is_file():
        return language_of(None)
    config = mkdocs_config(root)
    return config.plugins["scopekb"].config.language or language_of(config.theme.get("language"))


def render_to_dir(root: Path, audience: str, out: Path, lang: str | None = None) -> int:
    """Write the generated pages and assets as plain files under `out`; returns how many."""
    root, out = Path(root).resolve(), Path(out).resolve()
    kb = load_knowledge_base(root)
    files = render_site(kb, audience, lang or site_language(root))
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = fresh_dir(out)
    try:
        for path, content in files.items():
            target = fresh / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    replace_dir(fresh, out)
    return len(files)
