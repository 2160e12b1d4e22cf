"""The records every stage of the ticket pipeline passes on: plain, frozen, no behaviour to speak of.

A `Ticket` is one row of an export, whatever its format, already cleaned of
HTML and with its fields normalised (status, dates, level); the text is not
yet scrubbed of personal data: `scrub` does that, on a copy.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# What a ticket's status becomes, whatever the tool called it. Only solved and closed tickets
# feed scenarios: a ticket still open has no resolution to learn from.
STATUSES = ("solved", "closed", "other")
RESOLVED_STATUSES = ("solved", "closed")
# Where a ticket was resolved: n1 (the helpdesk), n2 (an expert team), or unknown.
LEVELS = ("n1", "n2", "unknown")


@dataclass(frozen=True)
class Ticket:
    """One ticket of an export.

    `source` is the export's path as the caller named it (root-relative when
    read through `read_tickets`), `line` the line its row or object starts on.
    `category` is the tool's category path, one segment per level
    (`("Bureautique", "Outlook")`); `client` the client as the tool names it
    (the last segment of a GLPI entity path).
    """
    source: str
    line: int
    id: str
    title: str
    description: str = ""
    solution: str = ""
    client: str = ""
    category: tuple[str, ...] = ()
    status: str = "other"
    opened: dt.datetime | None = None
    resolved: dt.datetime | None = None
    closed: dt.datetime | None = None
    requesters: tuple[str, ...] = ()
    technicians: tuple[str, ...] = ()
    level: str = "unknown"
    kind: str = ""  # incident | request | "" (the tool's ticket type, when it says)

    @property
    def where(self) -> str:
        """`FILE:LINE`, as every message about this ticket begins."""
        return f"{self.source}:{self.line}"

    @property
    def ended(self) -> dt.datetime | None:
        """When the ticket stopped needing work: its resolution, else its closing."""
        return self.resolved or self.closed


@dataclass(frozen=True)
class ReadResult:
    """What reading a folder of exports gave.

    `problems` are one line each (`FILE:LINE: key: problem (expected ...)`);
    `skipped` counts the rows left out per file (a row with a problem is
    skipped, the rest of its file is still read); `formats` names the format
    each file was read as.
    """
    tickets: list[Ticket]
    problems: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def problem(source: str, line: int, key: str, what: str, expected: str) -> str:
    """One problem line, in the form every scopekb error takes."""
    flat = " ".join(str(what).split())
    return f"{source}:{line}: {key}: {flat} (expected {expected})"


class FileProblem(str):
    """A problem line about a whole file (unknown format, unreadable): no row is counted as skipped for it."""
