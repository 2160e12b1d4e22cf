"""Read the knowledge base from disk: find the files, parse YAML, check them (validate), assemble.

Each file's checked result is cached (cache.py): a load reads again only the
files that changed since the last one.
"""
from __future__ import annotations

import functools
import gc
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable

from scopekb.errors import InputError
from scopekb.kb.cache import Cache
from scopekb.kb.model import Contract, KnowledgeBase, Provider, normal_form, slugify
from scopekb.kb.schema import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES

if TYPE_CHECKING:
    import yaml

PROVIDER_FILE = "contracts/provider.yaml"
CLIENT_NAMES_BYTES = 1 << 20  # of a broken file, read for the names of its client
SHARED_CHECKS = 100  # contracts to check from which a third of them go to another process, if one is offered
_KEY_ON_LINE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*:")


def contract_files(root: Path, problems: list[str] | None = None) -> list[str]:
    """Every *.yaml and *.yml under contracts/, at any depth, but the provider file (files_under)."""
    return files_under(root, "contracts", lambda rel: rel.endswith((".yaml", ".yml")) and rel != PROVIDER_FILE,
                       problems)


def files_under(root: Path, top: str, wanted: Callable[[str], bool], problems: list[str] | None = None,
                skipped: Callable[[str], bool] = lambda rel: False) -> list[str]:
    """The files under root/top that `wanted` takes (given their root-relative path), root-relative, each
    folder's files (sorted) before its subfolders (sorted); names starting with a dot, and the folders
    `skipped` takes, are left out.

    Symbolic links are followed, to files and to folders alike: a folder linked into contracts/ holds
    contracts like any other. Each real folder is visited once, under the first path that reaches it in
    this order; a link back to an ancestor (a loop), or a second link to a folder already visited, adds
    nothing and is no error. A dangling link is listed, for the load to say it cannot be read.

    A folder that cannot be listed (no permission, gone meanwhile) would leave its files out without
    a word: it is one error line naming the folder, added to `problems`, or raised as InputError (with
    every other such folder) when `problems` is None.
    """
    found: list[str] = []
    errors: list[str] = []
    visited: set[tuple[int, int]] = set()
    pending = [(root / top, top)]  # a stack: popped in the order pushed reversed
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
                if not skipped(rel):
                    subfolders.append((Path(entry.path), rel))
            elif wanted(rel):
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
                    return [f"{source}:{file_line(text, event.start_mark)}: document: {problem} (expected {expected})"]
    except yaml.YAMLError:
        return None
    return None


# Below this bound on a text's nesting (_depth_bound), libyaml composes it without a second look. Its composer
# recurses in C, with no limit of its own: a few hundred kilobytes of `[[[[...` crash the process (100,000
# levels: a segmentation fault, after half a minute); 10,000 levels still compose, in a thread's stack too.
SAFE_DEPTH_BOUND = 1_000


def _depth_bound(text: str) -> int:
    """More than the depth of lists and mappings `text` can compose to, at C speed: the quick bound
    where it is below SAFE_DEPTH_BOUND (most files, far below), else the finer one, line by line."""
    lines = text.splitlines()
    quick = _quick_depth_bound(text, lines)
    return quick if quick <= SAFE_DEPTH_BOUND else _line_depth_bound(lines)


def _quick_depth_bound(text: str, lines: list[str]) -> int:
    """Never less than _line_depth_bound: a line's openers and the openers left open before it are at most
    the file's, and its block part at most twice its length plus 2 (the indicators never overlap and
    never sit in the indentation: two characters each)."""
    return text.count("[") + text.count("{") + 2 * max(map(len, lines), default=0) + 2


def _line_depth_bound(lines: list[str]) -> int:
    """Counted line by line. Flow collections: at any point, the openers (`[`, `{`) of the lines before
    that are still open, plus those of the line. A line's closers count only after its first opener
    (before it, in a block key or text, `]` is no closer) and only on a line with no quote or `#` (one in
    a string or a comment closes nothing): otherwise each of its openers counts as still open. Block
    collections: twice the line's indentation (a block sequence may sit at its key's indentation), plus
    the indicators a line may nest on its own (`- - x`, `? `, `a: `). Lines are cut wherever YAML or
    Python sees a line end."""
    carried = bound = 0
    for line in lines:
        opens = line.count("[") + line.count("{")
        block = 2 * (len(line) - len(line.lstrip(" ")) + 1) + line.count("- ") + line.count("? ") + line.count(": ")
        bound = max(bound, carried + opens + block)
        if opens:
            if '"' in line or "'" in line or "#" in line:
                carried += opens
            else:
                first = min(i for i in (line.find("["), line.find("{")) if i >= 0)
                rest = line[first:]
                carried += max(0, opens - rest.count("]") - rest.count("}"))
    return bound


def nested_too_deep(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The line where lists and mappings of `text` nest more than `limit` deep, or None: found before
    composing (see SAFE_DEPTH_BOUND), by the parser's events where the bound does not rule it out, and
    never for broken YAML (composing says where it breaks)."""
    import yaml

    if _depth_bound(text) <= SAFE_DEPTH_BOUND:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limit:
                    return file_line(text, event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        # libyaml from PyYAML 6.0.4 stops at 1,000 levels of its own, sometimes before its first events
        # (a flow list's scanner looks ahead): too deep too, and said the same way
        if "nesting depth" in str(getattr(exc, "problem", "")) and getattr(exc, "problem_mark", None):
            return file_line(text, exc.problem_mark)
        return None
    return None


def too_deep(source: str, line: int, what: str) -> list[str]:
    return [f"{source}:{line}: document: lists and mappings nested more than {MAX_DEPTH} deep "
            f"(expected {what} of at most {MAX_DEPTH} levels)"]


# Line ends to YAML (1.1) that no editor breaks a line at: a value holding one would shift the line of every
# error after it. Lines are counted as editors count them: \n, \r\n and \r.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")


def file_line(text: str, mark) -> int:
    """The line of the file (from 1) that a mark of libyaml's on `text` is on."""
    return mark.line + 1 - sum(1 for _ in _ODD_BREAKS.finditer(text, 0, mark.index))


def _marks_on_file_lines(node, text: str) -> None:
    """Every node of the tree of `text` marked with its line as the file's editor counts it (file_line), when
    `text` holds a line end of YAML's only; the checks take a node's line from its mark."""
    import bisect

    import yaml

    odd = [found.start() for found in _ODD_BREAKS.finditer(text)]
    if not odd or node is None:
        return
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        mark = current.start_mark
        current.start_mark = yaml.Mark(mark.name, mark.index, mark.line - bisect.bisect_left(odd, mark.index),
                                       mark.column, None, None)
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(part for pair in current.value for part in pair)


def parse_yaml(data: bytes, source: str) -> yaml.Node | None | list[str]:
    """The single document of `data` as a node tree (None if empty), or an error line.

    Composing only, with libyaml: no tag is ever constructed here, so
    `!!python/...` cannot run; validate rejects any non-standard tag. A text
    over MAX_FILE_BYTES, of more than MAX_VALUES nodes, or nested more than
    MAX_DEPTH deep, is refused before it is composed.
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
    deep = nested_too_deep(text)
    if deep is not None:
        return too_deep(source, deep, "a provider file" if source == PROVIDER_FILE else
                        "an article's front matter" if source.endswith(".md") else "a contract")
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
        _marks_on_file_lines(node, text)
        return node
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is reported where the parser gave up (often the end of
        # the file); the line that opened it is the one to fix.
        unclosed = (exc.context or "").startswith(("while parsing a flow", "while scanning a quoted"))
        mark = (exc.context_mark if unclosed else None) or exc.problem_mark or exc.context_mark
        lines = re.split(r"\r\n|\r|\n", text)  # the file's lines, as file_line counts them
        if len(lines) > 1 and not lines[-1]:
            lines.pop()
        # the end of a file without a final line end is on its last line, not on the line after it
        line = min(file_line(text, mark) if mark else 1, max(len(lines), 1))
        found = _KEY_ON_LINE.match(lines[line - 1]) if 0 < line <= len(lines) else None
        key = found.group(1) if found else "document"
        if len(key) > 80:  # a key of a megabyte (libyaml takes no key over 1,024 characters): quoted short
            key = json.dumps(key[:80] + "...")
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
    # Without the garbage collector: a large file makes hundreds of thousands of nodes and values, in no
    # cycle but a recursive alias's, and the collector would scan them over and over as they are made
    # (half the time of a 40,000-asset contract). A cycle made meanwhile is collected later.
    collecting = gc.isenabled()
    gc.disable()
    try:
        parsed = parse_yaml(data, rel)
        if isinstance(parsed, list):
            return parsed
        try:
            return from_node(parsed, rel)
        except RecursionError:
            return [f"{rel}:1: document: nested too deeply (recursive alias?) (expected a contract of ordinary "
                    "shape)"]
    finally:
        if collecting:
            gc.enable()


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
    return _load(Path(root), use_cache, check_elsewhere, partial=False).kb


@dataclass(frozen=True)
class LeftOut:
    """A contract file that a partial load left out, and the names of its client as far as they are known.

    `names` are the client's name, aliases and slug (those of its contract when the file is left out for
    a problem across files, else what its text says of them as far as it can be read: read_client_names),
    then the slug its file name suggests (`contracts/sub/beta.yaml`: beta), in case the text says nothing.
    """
    source: str
    names: tuple[str, ...]

    def warning(self) -> str:
        """The line that says an answer may miss this file."""
        from scopekb.kb.validate import one_line

        shown = ", ".join(f"'{one_line(shorten(name))}'" for name in self.names)
        return (f"{self.source}:1: document: left out of this answer, which may be incomplete for the client of "
                f"this file ({shown}) (expected a contract without errors)")


@dataclass(frozen=True)
class PartialLoad:
    """What `load_valid_part` found: the knowledge base of the valid files, every error line (those of
    each file, then those across files), and the files left out."""
    kb: KnowledgeBase
    messages: tuple[str, ...] = ()
    left_out: tuple[LeftOut, ...] = ()


def load_valid_part(root: Path, use_cache: bool = True) -> PartialLoad:
    """The knowledge base of the contracts that are valid, for `check`: one broken contract file does not
    keep the others from being answered for. A file with errors of its own is left out, and so is every
    file a problem across files concerns (validate.problems_across: an id or a name used by two files
    leaves out both). A missing or broken provider file, or a folder that cannot be read, raises InputError
    as load_knowledge_base does: no answer can do without the first, and the second may hide any client.
    A partial knowledge base is never stored as the cache's snapshot."""
    return _load(Path(root), use_cache, None, partial=True)


def _load(root: Path, use_cache: bool, check_elsewhere, partial: bool) -> PartialLoad:
    if not (root / PROVIDER_FILE).is_file():
        raise InputError([f"{PROVIDER_FILE}:1: provider: file not found under {root} "
                          "(expected a knowledge-base folder; create one with 'scopekb init DIR')"])
    cache = Cache(root, use_cache)
    messages: list[str] = []
    files = contract_files(root, messages)
    kb = None if messages else cache.unchanged(root, [PROVIDER_FILE, *files])
    if kb is not None:
        return PartialLoad(kb)
    # imported here: a load that nothing changed for needs neither the parser nor the checks
    from scopekb.kb.validate import build_knowledge_base, contract_from_node, problems_across, provider_from_node

    provider = cache.result(root, PROVIDER_FILE, functools.partial(_check_file, root, PROVIDER_FILE, provider_from_node))
    if not isinstance(provider, Provider):
        messages += provider
    fatal = bool(messages)
    elsewhere = None
    todo = cache.to_check(root, files) if check_elsewhere else []
    if len(todo) >= SHARED_CHECKS:
        theirs = todo[len(todo) - len(todo) // 3:]
        elsewhere = _results_when_needed(theirs, check_elsewhere(root, theirs))
    contracts: list[Contract] = []
    broken: list[str] = []
    for rel in files:
        result = cache.result(root, rel, functools.partial(_check_file, root, rel, contract_from_node), elsewhere)
        if isinstance(result, Contract):
            contracts.append(result)
        else:
            messages += result
            broken.append(rel)
    keep = set(files) | {PROVIDER_FILE}
    if fatal or (messages and not partial):
        cache.save(keep)
        raise InputError(messages)
    across = problems_across(provider, contracts)
    if across and not partial:
        cache.save(keep)
        raise InputError([message for message, _ in across])
    if not across and not broken:
        kb = build_knowledge_base(provider, contracts)
        cache.save(keep, kb)
        return PartialLoad(kb)
    cache.save(keep)
    concerned = {source for _, sources in across for source in sources}
    kb = build_knowledge_base(provider, [c for c in contracts if c.source not in concerned])
    left_out = []
    for rel in files:
        if rel in broken:
            left_out.append(LeftOut(rel, _names_of_broken(root, rel)))
        elif rel in concerned:
            contract = next(c for c in contracts if c.source == rel)
            left_out.append(LeftOut(rel, _distinct((contract.client_name, *contract.aliases, contract.client_slug,
                                                    _file_slug(rel)))))
    return PartialLoad(kb, tuple(messages + [message for message, _ in across]), tuple(left_out))


def _names_of_broken(root: Path, rel: str) -> tuple[str, ...]:
    try:
        with open(root / rel, "rb") as fh:
            head = fh.read(CLIENT_NAMES_BYTES)
    except OSError:
        head = b""
    return _distinct((*read_client_names(head), _file_slug(rel)))


def _file_slug(rel: str) -> str:
    """The slug a file's name suggests: `contracts/sub/Beta Co.yaml` -> beta-co."""
    return slugify(PurePosixPath(rel).name.rsplit(".", 1)[0])


def _distinct(names) -> tuple[str, ...]:
    """`names` without the empty ones and those whose normal form came before."""
    seen, out = set(), []
    for name in names:
        form = normal_form(name)
        if form and form not in seen:
            seen.add(form)
            out.append(name)
    return tuple(out)


def shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def read_client_names(data: bytes) -> tuple[str, ...]:
    """Best effort, for a file that did not pass its checks: `client.name`, `client.aliases` and
    `client.slug`, as far as they can be read. First from the YAML as parsed up to its first syntax
    error, if any; when that does not reach `client.name`, from the lines that look like them
    (`client: {name: X, aliases: [A, B]}`, or `client:` then indented `name: X`...). Text that is not
    UTF-8 is read as Latin-1."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    found = _client_names_from_events(text)
    if not found.get("name"):
        found = _client_names_from_lines(text) | {k: v for k, v in found.items() if v}
    names = [found.get("name", ""), *found.get("aliases", ()), found.get("slug", "")]
    return tuple(name for name in names if isinstance(name, str) and name.strip())


def _client_names_from_events(text: str) -> dict:
    """client.name, client.slug (texts) and client.aliases (a list) from the parser's events, up to the first
    error: a stack of the mappings and lists being read, each with its key path."""
    import yaml

    found: dict = {}
    stack: list[list] = []  # [kind, path, pending key or None, index]
    deeper = ("",) * 4  # the path of any value below client.aliases[i]: paths longer than that are not made

    def place(event) -> tuple | None:
        """The key path of a value starting here, or None when it is a key. Paths stop growing below the depth
        of client.aliases[i]: a file nested 100,000 deep made a path of each length, quadratic memory."""
        if not stack:
            return ()
        top = stack[-1]
        if top[0] == "seq":
            top[3] += 1
            return deeper if len(top[1]) >= 3 else (*top[1], top[3] - 1)
        if top[2] is None:
            return None
        path, top[2] = (deeper if len(top[1]) >= 3 else (*top[1], top[2])), None
        return path

    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
                path = place(event)
                value = event.value if isinstance(event, yaml.ScalarEvent) else None
                if path is None:  # a key
                    stack[-1][2] = value if isinstance(value, str) else ""
                elif value is not None and path in (("client", "name"), ("client", "slug")):
                    found[path[1]] = value
                elif value is not None and len(path) == 3 and path[:2] == ("client", "aliases"):
                    found.setdefault("aliases", []).append(value)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                path = place(event)
                if path is None:  # a complex key: read no further
                    break
                stack.append(["map" if isinstance(event, yaml.MappingStartEvent) else "seq", path, None, 0])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)) and stack:
                stack.pop()
    except yaml.YAMLError:
        pass
    return found


_FLOW_CLIENT = re.compile(r"^client\s*:\s*\{(.*)$", re.MULTILINE)
_BLOCK_CLIENT = re.compile(r"^client\s*:\s*(?:#.*)?$", re.MULTILINE)
_FIELD = re.compile(r"(?:^|[,{\s])(name|slug|aliases)\s*:\s*(\[[^\]]*\]?|\"[^\"]*\"?|'[^']*'?|[^,}\n#]*)")
_ITEM = re.compile(r"^\s+-\s+(.*)$")
_LIST_ITEM = re.compile(r"\s*(?:\"[^\"]*\"?|'[^']*'?|[^,]+)")


def _plain(text: str) -> str:
    """A YAML value as written on one line, its quotes or its comment taken off."""
    text = text.strip()
    if text[:1] in ("'", '"'):
        return text[1:].split(text[0], 1)[0].strip()
    return re.sub(r"\s+#.*$", "", text).strip()


def _client_names_from_lines(text: str) -> dict:
    found: dict = {}

    def take(fields_text: str) -> None:
        for key, value in _FIELD.findall(fields_text):
            if key == "aliases":
                if value.startswith("["):
                    found.setdefault("aliases", []).extend(
                        _plain(a) for a in _LIST_ITEM.findall(value.strip("[]")) if _plain(a))
            elif key not in found and _plain(value):
                found[key] = _plain(value)

    flow = _FLOW_CLIENT.search(text)
    if flow:
        take("{" + flow.group(1))
        return found
    block = _BLOCK_CLIENT.search(text)
    if block:
        lines = text[block.end():].split("\n")[1:]
        in_aliases = False
        for line in lines:
            if line.strip() and not line[0].isspace():
                break  # the next top-level key
            item = _ITEM.match(line)
            if in_aliases and item:
                found.setdefault("aliases", []).append(_plain(item.group(1)))
                continue
            in_aliases = bool(re.match(r"^\s+aliases\s*:\s*(#.*)?$", line))
            take(line)
    return found
