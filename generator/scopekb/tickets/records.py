"""The records every stage of the ticket pipeline passes on: plain, frozen, no behaviour to speak of.

A `Ticket` is one row of an export, whatever its format, already cleaned of
HTML and with its fields normalised (status, dates, level); the text is not
yet scrubbed of personal data: `scrub` does that, on a copy. `MiningSettings`
and `Scenario` are here too (mine.py and scenarios.py use them), so that
reading a scenario or the settings back costs no import of the mining's
libraries (numpy, scikit-learn: seconds).
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


@dataclass(frozen=True)
class MiningSettings:
    """How tickets are grouped; the defaults are those measured on the labeled set."""
    min_occurrences: int = 3  # a group this large is a recurring malfunction
    threshold: float = 0.94  # average cosine distance under which tickets are one malfunction
    title_weight: int = 3  # a title counts as many times as this against its description
    char_weight: float = 0.3  # share of the character n-grams in a ticket's vector
    exact_limit: int = 2000  # tickets clustered all together; a larger category is sampled (see cluster)
    sample_size: int = 1000  # tickets of a larger category clustered to find its malfunctions, each round
    rounds: int = 6  # samples taken from a large category, at most
    random_state: int = 0
    workers: int = 0  # processes mining categories side by side; 0: one per core available
    parallel_from: int = 20_000  # resolved tickets from which categories are mined in worker processes


@dataclass(frozen=True)
class Scenario:
    """A recurring malfunction of one catalogue category, learnt from closed tickets.

    `clients` are the slugs of the clients whose tickets are in it (sorted);
    `unknown_clients` counts its tickets whose client no contract names.
    `median_time_to_resolve` runs from opening to resolution (or closing);
    `n1_share` is the share of tickets resolved at N1 among those whose level
    is known (`levels_known` of them), None when none is.
    """
    id: str
    category: str
    title: str
    symptoms: tuple[str, ...]
    resolution: str
    occurrences: int
    clients: tuple[str, ...]
    unknown_clients: int
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    median_time_to_resolve: dt.timedelta | None
    n1_share: float | None
    levels_known: int
    tickets: tuple[str, ...]  # ids, in natural order
    terms: tuple[str, ...]  # the words its id is made of
