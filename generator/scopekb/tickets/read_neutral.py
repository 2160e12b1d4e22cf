"""scopekb's own ticket format, as CSV, YAML or JSON: for tools with no reader of their own.

One record per ticket with these keys (docs/tickets.md has an example):
`id` and `title` required; `client`, `category` (a path `A > B`, or in YAML
and JSON a list), `status` (solved, closed, or anything else for a ticket
still open), `opened`, `resolved`, `closed` (ISO 8601 dates and times),
`requester`, `technician` (one name, or several separated by `|`, or a
list), `level` (n1, n2 or empty; `resolved_by` is the same), `group`,
`kind` (incident or request), `description`, `solution`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .read_fields import DateOrder
from .read_rows import Columns, CsvRows, Dialect, ticket_from_cells
from .records import problem

KEYS = {
    "id": "id", "title": "title", "client": "client", "category": "category", "status": "status",
    "opened": "opened", "resolved": "resolved", "closed": "closed",
    "requester": "requesters", "requesters": "requesters", "technician": "technicians",
    "technicians": "technicians", "group": "groups", "groups": "groups",
    "level": "level", "resolved by": "level", "kind": "kind", "type": "kind",
    "description": "description", "solution": "solution",
}
LISTS = ("requesters", "technicians", "groups")
DIALECT = Dialect("scopekb")


def is_neutral_header(header: list[str]) -> bool:
    """Our CSV: lower-case keys, `id` and `title` among them, and none unknown."""
    names = [h.strip().lstrip("\ufeff") for h in header if h.strip()]
    return ({"id", "title"} <= set(names) and all(n == n.lower() for n in names)
            and all(n.replace("_", " ") in KEYS for n in names))


def is_neutral_record(obj: object) -> bool:
    """A YAML or JSON record of ours: a mapping with `id` and `title`."""
    return isinstance(obj, dict) and "id" in obj and "title" in obj


def _multi(cell: str) -> str:
    return cell.replace("|", "\n")


def read_neutral_csv(rows: CsvRows) -> Iterator:
    """The tickets of a CSV in our format, a problem line for each row that cannot be read."""
    order = DateOrder(default="dmy")
    for start, row in rows.rows(KEYS):
        fitted = rows.fitted(start, row)
        if isinstance(fitted, str):
            yield fitted
            continue
        cells = rows.columns.cells(fitted)
        for name in LISTS:
            if name in cells:
                cells[name] = _multi(cells[name])
        yield ticket_from_cells(cells, rows.columns, DIALECT, rows.source, start, order)
    yield from rows.problems


def _cell(value: object, joiner: str) -> str:
    """A YAML or JSON value as the text of a cell: lists joined, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return joiner.join(_cell(v, joiner) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, dict):
        raise TypeError
    return str(value)


def read_neutral_records(objects: Iterator, source: str) -> Iterator:
    """Tickets from YAML or JSON records (each with the line it starts on)."""
    order = DateOrder(default="dmy")
    for item in objects:
        if isinstance(item, str):
            yield item
            continue
        line, obj = item
        if not is_neutral_record(obj):
            yield problem(source, line, "ticket", "not a ticket record", "a mapping with at least id and title")
            continue
        cells, labels = {}, {}
        for key, value in obj.items():
            name = KEYS.get(str(key).replace("_", " "))
            if name is None:
                continue
            try:
                cells[name] = _cell(value, "\n" if name in LISTS else " > ")
            except TypeError:
                yield problem(source, line, str(key), "a mapping", "a text, a date or a list of texts")
                break
            if name in LISTS:
                cells[name] = _multi(cells[name])
            labels[name] = str(key)
        else:
            columns = Columns(index={name: 0 for name in cells}, label=labels)
            yield ticket_from_cells(cells, columns, DIALECT, source, line, order)
