"""MkDocs, run for scopekb: its configuration, a build into a given folder, and `serve`.

The only module that calls MkDocs' commands. MkDocs' problems (a bad setting,
an article it cannot read, a plugin's error) become one-line input errors.
"""
from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Callable, TextIO

from scopekb.errors import InputError
from scopekb.kb.articles import with_articles
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import KnowledgeBase
from scopekb.mkdocs_plugin.worker import BuildWorker

CONFIG_FILE = "mkdocs.yml"


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
        for message in self.take():
            self.stream.write(f"{message}\n")

    def take(self) -> list[str]:
        """The lines held, each a line of its own (a message may hold several), no longer held."""
        lines = [line for message in self.held for line in message.splitlines()]
        self.held.clear()
        return lines


def _config_error(config_file: Path, text: str) -> str:
    """MkDocs' "Config value 'key': problem" as `mkdocs.yml:LINE: key: problem`."""
    match = re.match(r"Config value '([^']+)': (.*)", " ".join(text.split()))
    key, problem = match.groups() if match else ("config", " ".join(text.split()))
    return f"{CONFIG_FILE}:{key_line(config_file, key)}: {key}: {problem.rstrip('.')} (expected a valid MkDocs setting)"


def setting_place(root: Path, key: str) -> str:
    """`mkdocs.yml:LINE: key`, where the configuration sets `key`."""
    return f"{CONFIG_FILE}:{key_line(root / CONFIG_FILE, key)}: {key}"


def key_line(config_file: Path, key: str) -> int:
    """The line of `key`'s top-level setting in the configuration file; 1 when it is not there."""
    top_key = re.compile(rf"^{re.escape(key.split('.')[0])}\s*:")
    for number, source_line in enumerate(config_file.read_text("utf-8", "replace").splitlines(), 1):
        if top_key.match(source_line):
            return number
    return 1


def load_config(root: Path, **overrides):
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


def run_build(config, kb: KnowledgeBase, worker: BuildWorker, folder: Path,
              progress: Callable[[int, int], None] | None = None, published: Path | None = None) -> None:
    """Build the site of `config` into `folder`, from `kb` (already checked) with `worker`'s help, taking
    from `published` (the site `folder` is to replace) the pages that come out the same; raises
    InputError when MkDocs fails on the input. The caller removes `folder` on failure."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, MkDocsException

    config.plugins["scopekb"].hand_over(kb, worker, progress, published)
    config.site_dir = str(folder)
    mkdocs_log, held = logging.getLogger("mkdocs"), _HeldErrors()
    mkdocs_log.addHandler(held)
    try:
        build(config)
    except MkDocsException as error:  # PluginError, Abort, BuildError: a message, not a bug
        # On a plugin's error, MkDocs logs its message, then aborts "with a BuildError": the message is the line.
        said = held.take() if isinstance(error, Abort) and str(error) == "Aborted with a BuildError!" else []
        held.show_held()
        raise InputError([f"{CONFIG_FILE}:1: build: {line}" for line in (said or str(error).splitlines())
                          if line.strip()] or [f"{CONFIG_FILE}:1: build: the MkDocs build failed"]) from None
    except UnicodeDecodeError:  # MkDocs could not read an article: which one, and where in it
        problems = undecodable_articles(Path(config.config_file_path).parent, Path(config.docs_dir))
        if not problems:
            held.show_held()
            raise
        raise InputError(problems) from None  # MkDocs' lines about it are held back: ours says it in one
    except BaseException:
        config.plugins["scopekb"].on_build_error(None)  # stopped: MkDocs reports only an Exception
        held.show_held()
        raise
    finally:
        mkdocs_log.removeHandler(held)
    held.show_held()


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
    with_articles(load_knowledge_base(root), root)  # bad data: exit 2 now rather than serve a broken site
    load_config(root)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.INFO)
    serve(config_file=str(root / CONFIG_FILE), dev_addr=address, open_in_browser=open_browser)


def site_language(root: Path) -> str:
    """The language of root's mkdocs.yml (theme.language, or the scopekb plugin's), else French."""
    from scopekb.mkdocs_plugin.plugin import site_language as language_of

    if not (root / CONFIG_FILE).is_file():
        return language_of(None)
    config = load_config(root)
    return config.plugins["scopekb"].config.language or language_of(config.theme.get("language"))
