"""Read every ticket export under a folder, whatever tool wrote it, as `Ticket` records.

A file's format is recognized from its content, not its name: its first
character (JSON), its first item (YAML), or its header line (CSV: GLPI's
labels in French or English, iTop's attribute codes, or our own keys). Each
row becomes a ticket or one problem line `FILE:LINE: key: problem (expected
...)`; a bad row is skipped and reading goes on. A file in no known format is
one problem line. Rows are streamed: memory grows with the tickets kept, not
with the size of a file.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .mapping import normal_form
from .read_glpi import is_glpi_csv, is_glpi_ticket, read_glpi_csv, read_glpi_json
from .read_itop import is_itop_csv, read_itop_csv
from .read_neutral import is_neutral_header, is_neutral_record, read_neutral_csv, read_neutral_records
from .read_rows import CsvRows, first_line, head_text, header_of
from .read_streams import json_objects, yaml_items
from .records import FileProblem, ReadResult, Ticket, problem

TICKETS_FOLDER = "content/tickets"
KNOWN_FORMATS = ("GLPI CSV (French or English labels), GLPI API JSON, iTop CSV, "
                 "scopekb CSV, YAML or JSON (see docs/tickets.md)")


def export_files(folder: Path) -> list[Path]:
    """Every file under `folder`, at any depth, hidden ones and README files left out, in name order."""
    found = []
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and not name.lower().startswith("readme"):
                found.append(Path(here) / name)
    return found


def read_export(path: Path, source: str | None = None) -> tuple[str, Iterator[Ticket | str]]:
    """The format of one export and its tickets (or problem lines), read as they are asked for.

    `source` is how messages name the file (the path as given by default).
    """
    source = source or path.as_posix()
    head = head_text(path)
    if head is None:
        return "unknown", iter([FileProblem(problem(source, 1, "document", "binary data",
                                                    f"a ticket export: {KNOWN_FORMATS}"))])
    encoding, text = head
    start = text.lstrip()
    if not start:
        return "empty", iter(())
    if start[0] in "[{":
        return _read_json(path, encoding, source)
    if start.startswith(("- ", "-\n", "---")) or path.suffix.lower() in (".yaml", ".yml"):
        return "scopekb-yaml", read_neutral_records(yaml_items(path, encoding, source), source)
    delimiter, header = header_of(first_line(text))
    forms = {normal_form(cell.lstrip("\ufeff")) for cell in header}
    rows = CsvRows(path, source, encoding, delimiter)
    if is_itop_csv(forms):
        return "itop-csv", read_itop_csv(rows)
    if is_neutral_header(header):
        return "scopekb-csv", read_neutral_csv(rows)
    if is_glpi_csv(forms):
        return "glpi-csv", read_glpi_csv(rows)
    shown = first_line(text)[:80]
    return "unknown", iter([FileProblem(problem(source, 1, "document", f"unknown format, header '{shown}'",
                                                f"a ticket export: {KNOWN_FORMATS}"))])


def _read_json(path: Path, encoding: str, source: str) -> tuple[str, Iterator[Ticket | str]]:
    """GLPI Ticket objects or our records, told apart by the first object."""
    objects = json_objects(path, encoding, source)
    first = next(objects, None)
    if first is None:
        return "empty", iter(())

    def again() -> Iterator:
        yield first
        yield from objects

    if isinstance(first, str):
        return "unknown", again()
    if is_glpi_ticket(first[1]):
        return "glpi-json", read_glpi_json(again(), source)
    if is_neutral_record(first[1]):
        return "scopekb-json", read_neutral_records(again(), source)
    return "unknown", iter([FileProblem(problem(source, first[0], "document", "JSON of unknown shape",
                                                f"a ticket export: {KNOWN_FORMATS}"))])


def read_tickets(folder: Path, root: Path | None = None) -> ReadResult:
    """Every ticket of every export under `folder`; messages name files relative to `root` if given.

    A folder that does not exist holds no tickets: a knowledge base without
    exports is not an error.
    """
    tickets: list[Ticket] = []
    problems: list[str] = []
    skipped: dict[str, int] = {}
    formats: dict[str, str] = {}
    if not folder.is_dir():
        return ReadResult(tickets, problems, skipped, formats)
    for path in export_files(folder):
        source = _relative(path, root)
        try:
            kind, items = read_export(path, source)
            formats[source] = kind
            for item in items:
                if isinstance(item, Ticket):
                    tickets.append(item)
                else:
                    problems.append(str(item))
                    if not isinstance(item, FileProblem):
                        skipped[source] = skipped.get(source, 0) + 1
        except OSError as exc:
            problems.append(problem(source, 1, "document", f"cannot be read: {exc.strerror or exc}",
                                    "a readable file"))
        except UnicodeDecodeError as exc:
            # exc.start counts from the chunk being decoded, not from the start of the file: no position
            problems.append(problem(source, 1, "document", f"not {exc.encoding} text further in the file",
                                    "one text encoding for the whole file (UTF-8)"))
        except Exception as exc:  # noqa: BLE001 - one odd export must not stop the others, nor show a traceback
            problems.append(problem(source, 1, "document", f"cannot be read ({type(exc).__name__}: {exc})",
                                    f"a ticket export: {KNOWN_FORMATS}"))
    return ReadResult(tickets, problems, skipped, formats)


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()
