"""From a row of named cells to a `Ticket`, and the CSV plumbing every CSV export shares.

A format says which of its columns hold which field (`Columns`) and how a few
fields read in it (`Dialect`); `ticket_from_cells` does the rest, the same for
all, and reports a row's first bad cell as one problem line.
"""
from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .mapping import normal_form
from .read_fields import (BadCell, DateOrder, level_from_groups, level_from_value, normal_kind, normal_status,
                          one_line, parse_datetime, path_segments, plain_text, rich_text, split_values,
                          ticket_id)
from .records import Ticket, problem

# The fields a ticket is built from, in the order a row's problems are looked for.
FIELDS = ("id", "title", "status", "opened", "resolved", "closed", "client", "category", "kind",
          "requesters", "technicians", "groups", "level", "description", "solution")
# Cells larger than csv's default limit (128 KiB) are descriptions with pasted logs; they are read,
# up to this size, rather than stopping the file.
FIELD_LIMIT = 16 * 1024 * 1024
HEAD_BYTES = 64 * 1024
T = TypeVar("T")


@dataclass(frozen=True)
class Dialect:
    """How a format writes the fields whose reading differs between tools."""
    name: str
    read_id: Callable[[str], str] = ticket_id
    # the client: GLPI's entity is a path whose last segment is the client
    client_is_path: bool = False
    # GLPI turns every `"` of a cell into `''` on export
    double_apostrophe_is_quote: bool = False
    # the category's segments from the row's cells, where they are not one path (iTop: service, subcategory)
    category_from: Callable[[dict[str, str]], tuple[str, ...]] | None = None


@dataclass
class Columns:
    """Which column index holds which field, and the label to name in a problem."""
    index: dict[str, int] = field(default_factory=dict)
    label: dict[str, str] = field(default_factory=dict)
    width: int = 0  # the header's number of columns, trailing empty one dropped
    trailing: bool = False  # the header ends with a delimiter: so does every row of the file

    @classmethod
    def from_header(cls, header: list[str], known: dict[str, str]) -> "Columns":
        """Columns of `header` whose normal form is a key of `known` (normal form -> field); first wins."""
        trailing = len(header) > 1 and header[-1].strip() == ""
        if trailing:
            header = header[:-1]  # a trailing delimiter on the header line
        cols = cls(width=len(header), trailing=trailing)
        for i, label in enumerate(header):
            name = known.get(normal_form(label.lstrip("\ufeff")))
            if name and name not in cols.index:
                cols.index[name], cols.label[name] = i, label.strip().lstrip("\ufeff")
        return cols

    def cells(self, row: list[str]) -> dict[str, str]:
        return {name: row[i] for name, i in self.index.items() if i < len(row)}


def ticket_from_cells(cells: dict[str, str], columns: Columns, dialect: Dialect, source: str, line: int,
                      order: DateOrder) -> Ticket | str:
    """The ticket of one row, or the problem line of its first bad cell."""
    name = "id"  # the field being read, named in the problem if it is bad
    try:
        if dialect.double_apostrophe_is_quote:
            cells = {k: v.replace("''", '"') if "''" in v else v for k, v in cells.items()}
        ident = dialect.read_id(cells.get("id", ""))
        name = "title"
        title = one_line(plain_text(cells.get("title", "")))
        description = rich_text(cells.get("description", ""))
        if not title and not description:
            raise BadCell("empty, and so is the description", "a title or a description")
        name = "status"
        status = normal_status(cells["status"]) if "status" in columns.index else "other"
        dates = {}
        for name in ("opened", "resolved", "closed"):
            dates[name] = parse_datetime(cells.get(name, ""), order)
        name = "client"
        client = cells.get("client", "")
        client = (path_segments(client) or ("",))[-1] if dialect.client_is_path else one_line(client)
        name = "category"
        category = dialect.category_from(cells) if dialect.category_from else path_segments(cells.get("category", ""))
        name = "level"
        level = level_from_value(cells.get("level", ""))
        if level == "unknown":
            level = level_from_groups(split_values(cells.get("groups", "")))
    except BadCell as bad:
        label = columns.label.get(name, name)
        return problem(source, line, label, bad.what, bad.expected)
    return Ticket(source=source, line=line, id=ident, title=title or one_line(description)[:120],
                  description=description, solution=rich_text(cells.get("solution", "")),
                  client=client, category=category, status=status, opened=dates["opened"],
                  resolved=dates["resolved"], closed=dates["closed"],
                  requesters=split_values(cells.get("requesters", "")),
                  technicians=split_values(cells.get("technicians", "")),
                  level=level, kind=normal_kind(cells.get("kind", "")))


# ---------------------------------------------------------------- files and CSV

def csv_tickets(rows: "CsvRows", columns: dict[str, str], dialect: Dialect, date_fields: tuple[str, ...],
                order: DateOrder) -> Iterator[Ticket | str]:
    """The tickets of a CSV export whose header `columns` reads, a problem line for each row that cannot
    be read; the order of days and months is found from the dates of `date_fields` (with_date_order)."""
    def dates_of(item: tuple[int, list[str]]) -> list[str]:
        cols = rows.columns
        return [item[1][cols.index[f]] for f in date_fields if f in cols.index and cols.index[f] < len(item[1])]

    for start, row in with_date_order(rows.rows(columns), dates_of, order):
        fitted = rows.fitted(start, row)
        if isinstance(fitted, str):
            yield fitted
            continue
        yield ticket_from_cells(rows.columns.cells(fitted), rows.columns, dialect, rows.source, start, order)
    yield from rows.problems


def head_text(path: Path) -> tuple[str, str] | None:
    """The encoding of `path` (utf-8-sig, else cp1252) and its first 64 KiB as text; None for binary data."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if b"\x00" in head:
        return None
    try:
        # incremental: a character cut at the 64 KiB boundary is not an error
        return "utf-8-sig", codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252", head.decode("cp1252", errors="replace")


def header_of(first_line: str) -> tuple[str, list[str]]:
    """The delimiter (`;`, `,` or a tab: whichever splits the header into most cells) and the header's cells."""
    best = (",", [first_line])
    for delimiter in (";", ",", "\t"):
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:  # a stray carriage return: no header of any format
            continue
        if len(cells) > len(best[1]):
            best = (delimiter, cells)
    return best


def open_text(path: Path, encoding: str):
    """`path` opened for reading in `encoding`; Windows-1252 leaves no byte undecoded (five have no
    character: they become U+FFFD), UTF-8 stops at the first byte that is not UTF-8."""
    return open(path, encoding=encoding, newline="", errors="replace" if encoding == "cp1252" else "strict")


@dataclass
class CsvRows:
    """The rows of a CSV export after its header, each with the line it starts on.

    Streams: a row is parsed when asked for, so the file's size does not
    matter. `problems` collects the rows that could not be split (a quote
    left open at the end of the file, a cell over FIELD_LIMIT): reading stops
    there, as nothing after it can be trusted.
    """
    path: Path
    source: str
    encoding: str
    delimiter: str
    columns: Columns | None = None
    problems: list[str] = field(default_factory=list)

    def rows(self, known: dict[str, str]) -> Iterator[tuple[int, list[str]]]:
        if csv.field_size_limit() < FIELD_LIMIT:
            csv.field_size_limit(min(FIELD_LIMIT, sys.maxsize))
        with open_text(self.path, self.encoding) as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            line = 1
            try:
                header = next(reader, [])
                self.columns = Columns.from_header(header, known)
                line = reader.line_num + 1
                for row in reader:
                    start, line = line, reader.line_num + 1
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue  # blank line
                    yield start, row
            except csv.Error as exc:
                self.problems.append(problem(self.source, line, "row", f"cannot be split: {exc}",
                                             f"a well-quoted {self.delimiter!r}-separated row"))
            except UnicodeDecodeError:
                self.problems.append(problem(self.source, line, "document", f"not {self.encoding} text",
                                             "one text encoding for the whole file (UTF-8)"))

    def fitted(self, start: int, row: list[str]) -> list[str] | str:
        """`row` trimmed of the empty cell a trailing delimiter leaves, or the problem of a row of the wrong width.

        A file whose header ends with a delimiter has one after every row (GLPI
        writes both ways, one way per file): a row of the header's width there
        lacks a cell, and would otherwise be read shifted.
        """
        cols = self.columns
        width = cols.width if cols else len(row)
        if cols and cols.trailing:
            if len(row) == width + 1 and row[-1] == "":
                return row[:-1]
        elif len(row) == width:
            return row
        ends = " and a final delimiter" if cols and cols.trailing else ""
        have = len(row) - (1 if cols and cols.trailing and row and row[-1] == "" else 0)
        return problem(self.source, start, "row", f"{have} cells", f"{width} cells{ends}, as the header has")


def with_date_order(rows: Iterable[T], dates_of: Callable[[T], Iterable[str]], order: DateOrder,
                    window: int = 5000) -> Iterator[T]:
    """`rows` as they come, held back until `order` knows whether the file's dates are day or month first.

    The first date whose day or month is over 12 decides. After `window` rows
    still undecided, the order's default is taken for good: a later date
    contradicting it is then reported as not a date, in its row.
    """
    held: list[T] = []
    for row in rows:
        if order.decided is not None:
            yield row
            continue
        for cell in dates_of(row):
            order.observe(cell)
        held.append(row)
        if order.decided is None and len(held) >= window:
            order.decided = order.default
        if order.decided is not None:
            yield from held
            held.clear()
    yield from held


def first_line(text: str) -> str:
    """The first line of `text`, or the whole of it when it has no line end."""
    return io.StringIO(text).readline().rstrip("\r\n")
