"""One object at a time out of a JSON or YAML file, with the line each starts on.

A 50 MB export must not be held whole in memory, nor parsed as one tree:
JSON arrays are decoded element by element with the standard decoder's
`raw_decode`, JSON Lines line by line, and a YAML list item by item (each
top-level `- ` item is one YAML document of its own).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from scopekb.kb.load import nested_too_deep
from scopekb.kb.schema import MAX_DEPTH

from .read_rows import open_text
from .records import FileProblem, problem

CHUNK = 1 << 20  # characters read at a time
LARGEST_OBJECT = 32 << 20  # an object still not decoded past this size is broken, not cut by a chunk boundary


class _Buffer:
    """Text read ahead from a file, with the line number of its first character."""

    def __init__(self, fh):
        self.fh, self.text, self.pos, self.line, self.eof = fh, "", 0, 1, False

    def more(self) -> bool:
        """Read another chunk, dropping what was consumed; False at the end of the file."""
        if self.eof:
            return False
        self.line += self.text.count("\n", 0, self.pos)
        self.text, self.pos = self.text[self.pos:], 0
        chunk = self.fh.read(CHUNK)
        self.eof = not chunk
        self.text += chunk
        return bool(chunk)

    def skip_space(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos:self.pos + 1]

    def here(self) -> int:
        return self.line + self.text.count("\n", 0, self.pos)


def json_objects(path: Path, encoding: str, source: str) -> Iterator[tuple[int, object] | str]:
    """The elements of a top-level JSON array, or the objects of a JSON Lines file, each with its line.

    A syntax error is one problem line; the rest of the file cannot be
    trusted and is not read.
    """
    decoder = json.JSONDecoder()
    with open_text(path, encoding) as fh:
        buf = _Buffer(fh)
        in_array = buf.skip_space() == "["
        if in_array:
            buf.pos += 1
        while True:
            first = buf.skip_space()
            if first == "" or (in_array and first == "]"):
                return
            line = buf.here()
            while True:
                try:
                    value, end = decoder.raw_decode(buf.text, buf.pos)
                    break
                except json.JSONDecodeError as exc:
                    if len(buf.text) - buf.pos > LARGEST_OBJECT or not buf.more():
                        yield FileProblem(problem(source, buf.line + buf.text.count("\n", 0, exc.pos), "document",
                                                  f"JSON syntax error: {exc.msg}", "valid JSON"))
                        return
            buf.pos = end
            yield line, value
            if in_array:
                after = buf.skip_space()
                if after == ",":
                    buf.pos += 1
                elif after != "]":
                    yield FileProblem(problem(source, buf.here(), "document", f"{after or 'end of file'!r} after an element",
                                              "',' or ']' between the elements of the array"))
                    return


def yaml_items(path: Path, encoding: str, source: str) -> Iterator[tuple[int, object] | str]:
    """The items of a top-level YAML list, each with its line; a broken item is one problem line."""
    import yaml

    def parse(start: int, lines: list[str]) -> tuple[int, object] | str:
        text = "".join(lines)
        deep = nested_too_deep(text)  # libyaml would recurse until the process crashes
        if deep is not None:
            return problem(source, start + deep - 1, "ticket", f"lists and mappings nested more than {MAX_DEPTH} deep",
                           f"a ticket of at most {MAX_DEPTH} levels")
        try:
            loaded = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.MarkedYAMLError as exc:
            # an unclosed bracket or quote is reported where the parser gave up: the line that opened it is
            # the one to fix
            unclosed = (exc.context or "").startswith(("while parsing a flow", "while scanning a quoted"))
            mark = (exc.context_mark if unclosed else None) or exc.problem_mark or exc.context_mark
            where = start + min(mark.line if mark else 0, len(lines) - 1)
            return problem(source, where, "ticket", f"YAML syntax error: {exc.problem or exc.context}", "valid YAML")
        except yaml.YAMLError as exc:
            return problem(source, start, "ticket", f"YAML error: {str(exc).splitlines()[0]}", "valid YAML")
        return start, loaded[0] if isinstance(loaded, list) and loaded else None

    with open_text(path, encoding) as fh:
        item: list[str] = []
        start = 0
        for number, text in enumerate(fh, start=1):
            if text.startswith("-") and text[1:2] in (" ", "\n", "\r", ""):
                if item:
                    yield parse(start, item)
                item, start = [text], number
            elif item:
                item.append(text)
            elif text.strip() and not text.startswith(("#", "---", "%")):
                yield FileProblem(problem(source, number, "document", "not a list item",
                                          "a YAML list of tickets, each item beginning with '- ' in the first column"))
                return
        if item:
            yield parse(start, item)
