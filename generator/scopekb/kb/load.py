"""Read the knowledge base from disk: find the files, parse YAML, check them (validate), assemble.

Each file's checked result is cached (cache.py): a load reads again only the
files that changed since the last one.
"""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from scopekb.errors import InputError
from scopekb.kb.cache import Cache
from scopekb.kb.model import Contract, KnowledgeBase, Provider
from scopekb.kb.schema import MAX_FILE_BYTES, MAX_VALUES

if TYPE_CHECKING:
    import yaml

PROVIDER_FILE = "contracts/provider.yaml"
SHARED_CHECKS = 100  # contracts to check from which a third of them go to another process, if one is offered
_KEY_ON_LINE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:")


def contract_files(root: Path, problems: list[str] | None = None) -> list[str]:
    """Every *.yaml and *.yml under contracts/, at any depth, but the provider file; root-relative, each
    folder's files (sorted) before its subfolders (sorted). Names starting with a dot are skipped.

    Symbolic links are followed, to files and to folders alike: a folder linked into contracts/ holds
    contracts like any other. Each real folder is visited once, under the first path that reaches it in
    this order; a link back to an ancestor (a loop), or a second link to a folder already visited, adds
    nothing and is no error. A dangling link named *.yaml is listed, for the load to say it cannot be read.

    A folder that cannot be listed (no permission, gone meanwhile) would leave its contracts out without
    a word: it is one error line naming the folder, added to `problems`, or raised as InputError (with
    every other such folder) when `problems` is None.
    """
    found: list[str] = []
    errors: list[str] = []
    visited: set[tuple[int, int]] = set()
    pending = [(root / "contracts", "contracts")]  # a stack: popped in the order pushed reversed
    while pending:
        folder, rel_folder = pending.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in visited:
                continue
            visited.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            errors.append(f"{rel_folder}:1: document: cannot be read: {exc.strerror or exc} "
                          "(expected a readable folder)")
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_folder}/{entry.name}"
            try:
                is_folder = entry.is_dir()  # follows links; False for a dangling one
            except OSError:
                is_folder = False
            if is_folder:
                subfolders.append((Path(entry.path), rel))
            elif entry.name.endswith((".yaml", ".yml")) and rel != PROVIDER_FILE:
                found.append(rel)
        pending.extend(reversed(subfolders))
    if errors and problems is None:
        raise InputError(errors)
    if problems is not None:
        problems += errors
    return found


def too_large(source: str, size: int) -> list[str]:
    return [f"{source}:1: document: file of {size} bytes is too large "
            f"(expected a file of at most {MAX_FILE_BYTES} bytes)"]


def _node_bound(text: str) -> int:
    """More than the number of nodes `text` can compose to, counted in a few passes at C speed: every
    node but the first follows a ':' (two nodes: key and value), a ',' or a '{' (at most two), a '?', a '-'
    or a '['. Characters inside texts make it larger, never smaller."""
    return (2 * (text.count(":") + text.count(",") + text.count("{") + text.count("?"))
            + text.count("-") + text.count("[") + 1)


def _too_many_nodes(text: str, source: str) -> list[str] | None:
    """The error line of a text that composes to more than MAX_VALUES nodes, found before composing it:
    libyaml builds every node of a file in memory (2 GB and half a minute for 15 MB of `[x,x,x...`),
    and the checks count the values only afterwards. None when it does not, or when the YAML is broken
    (composing says where)."""
    import yaml

    if _node_bound(text) <= MAX_VALUES:
        return None
    nodes, aliases = 0, False
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.NodeEvent):  # a scalar, an alias, the start of a list or mapping
                nodes += 1
                aliases = aliases or isinstance(event, yaml.AliasEvent)
                if nodes > MAX_VALUES:
                    from scopekb.kb.validate import too_many_values

                    problem, expected = too_many_values(
                        "a provider file" if source == PROVIDER_FILE else "a contract", aliases)
                    return [f"{source}:{event.start_mark.line + 1}: document: {problem} (expected {expected})"]
    except yaml.YAMLError:
        return None
    return None


def parse_yaml(data: bytes, source: str) -> yaml.Node | None | list[str]:
    """The single document of `data` as a node tree (None if empty), or an error line.

    Composing only, with libyaml: no tag is ever constructed here, so
    `!!python/...` cannot run; validate rejects any non-standard tag. A text
    over MAX_FILE_BYTES, or of more than MAX_VALUES nodes, is refused before
    it is composed.
    """
    import yaml  # here, not at the top: a load served from the cache parses nothing

    if len(data) > MAX_FILE_BYTES:
        return too_large(source, len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return [f"{source}:{line}: document: not UTF-8 text (expected a YAML text file)"]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return [f"{source}:{line}: document: binary data (expected a YAML text file)"]
    too_many = _too_many_nodes(text, source)
    if too_many:
        return too_many
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is reported where the parser gave up (often the end of
        # the file); the line that opened it is the one to fix.
        unclosed = (exc.context or "").startswith(("while parsing a flow", "while scanning a quoted"))
        mark = (exc.context_mark if unclosed else None) or exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        lines = text.splitlines()
        found = _KEY_ON_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
        key = found.group(1) if found else "document"
        problem = (exc.problem or exc.context or "invalid YAML").replace("\t", "\\t").rstrip()
        tabbed = 0 < line <= len(lines) and "\t" in lines[line - 1]
        expected = "spaces, not tabs, to indent" if tabbed else "valid YAML"
        return [f"{source}:{line}: {key}: YAML syntax error: {problem} (expected {expected})"]
    except yaml.YAMLError as exc:
        return [f"{source}:1: document: YAML error: {str(exc).splitlines()[0]} (expected valid YAML)"]


def _check_file(root: Path, rel: str, from_node):
    with open(root / rel, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > MAX_FILE_BYTES:  # refused unread
            return too_large(rel, size)
        data = fh.read(MAX_FILE_BYTES + 1)  # no more, if the file grows meanwhile
    parsed = parse_yaml(data, rel)
    if isinstance(parsed, list):
        return parsed
    try:
        return from_node(parsed, rel)
    except RecursionError:
        return [f"{rel}:1: document: nested too deeply (recursive alias?) (expected a contract of ordinary shape)"]


def _results_when_needed(files: list[str], wait: Callable[[], dict]) -> Callable[[str], object | None]:
    """The result of one of `files` from another process, waited for when the first is needed; None for
    another file, or one that process did not check."""
    theirs, results = set(files), None

    def result(rel: str) -> object | None:
        nonlocal results
        if rel not in theirs:
            return None
        if results is None:
            results = wait()
        return results.get(rel)
    return result


def check_contract_files(root: Path, files: list[str]) -> dict[str, object]:
    """Each file's checked result (a Contract, or its error lines), for a load in another process;
    a file that cannot be read is left to that load, which says why."""
    from scopekb.kb.validate import contract_from_node

    results = {}
    for rel in files:
        try:
            results[rel] = _check_file(Path(root), rel, contract_from_node)
        except OSError:
            pass
    return results


def load_knowledge_base(root: Path, use_cache: bool = True,
                        check_elsewhere: Callable[[Path, list[str]], Callable[[], dict]] | None = None
                        ) -> KnowledgeBase:
    """Read and check provider.yaml and every contract under root/contracts; raises InputError.

    `check_elsewhere(root, files)`, if given, has another process check `files` (check_contract_files)
    and returns a function that waits for the results: when many contracts are to be checked, the last
    third go there while this process checks the others.
    """
    root = Path(root)
    if not (root / PROVIDER_FILE).is_file():
        raise InputError([f"{PROVIDER_FILE}:1: provider: file not found under {root} "
                          "(expected a knowledge-base folder; create one with 'scopekb init DIR')"])
    cache = Cache(root, use_cache)
    messages: list[str] = []
    files = contract_files(root, messages)
    kb = None if messages else cache.unchanged(root, [PROVIDER_FILE, *files])
    if kb is not None:
        return kb
    # imported here: a load that nothing changed for needs neither the parser nor the checks
    from scopekb.kb.validate import assemble, contract_from_node, provider_from_node

    provider = cache.result(root, PROVIDER_FILE, functools.partial(_check_file, root, PROVIDER_FILE, provider_from_node))
    if not isinstance(provider, Provider):
        messages += provider
    elsewhere = None
    todo = cache.to_check(root, files) if check_elsewhere else []
    if len(todo) >= SHARED_CHECKS:
        theirs = todo[len(todo) - len(todo) // 3:]
        elsewhere = _results_when_needed(theirs, check_elsewhere(root, theirs))
    contracts: list[Contract] = []
    for rel in files:
        result = cache.result(root, rel, functools.partial(_check_file, root, rel, contract_from_node), elsewhere)
        if isinstance(result, Contract):
            contracts.append(result)
        else:
            messages += result
    keep = set(files) | {PROVIDER_FILE}
    if messages:
        cache.save(keep)
        raise InputError(messages)
    try:
        kb = assemble(provider, contracts)
    except InputError:
        cache.save(keep)
        raise
    cache.save(keep, kb)
    return kb
