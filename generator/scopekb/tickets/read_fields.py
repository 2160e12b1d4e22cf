"""Cell-level reading shared by every export format: text, HTML, ids, dates, statuses, levels.

Each function takes one cell as the export wrote it and returns the value, or
raises `BadCell` with what was expected; the format readers turn that into a
problem line naming the file, line and column.
"""
from __future__ import annotations

import datetime as dt
import functools
import html
import re

from .mapping import normal_form


SHOWN_CHARS = 80  # of a cell quoted in a problem line, as validate quotes a contract's values


def quoted(cell: str) -> str:
    """A cell as a problem line quotes it: trimmed, its first SHOWN_CHARS characters, then '...' if there are
    more (a cell may hold megabytes: the line stays one short line)."""
    text = cell.strip()
    return f"'{text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + '...'}'"


class BadCell(ValueError):
    """A cell that cannot be read; `expected` says what would have been."""

    def __init__(self, what: str, expected: str):
        super().__init__(what)
        self.what, self.expected = what, expected


# ---------------------------------------------------------------- text and HTML

# Tags that end a line of text; the others vanish. A regular expression rather than html.parser:
# the parser took 26 µs for a two-paragraph description against 3 µs here, and an export has
# two rich-text cells a row (5 s for 100,000 tickets).
_BREAKING_TAG = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?ul|/?ol|/?tr|/?h[1-6]|/?blockquote|/?pre)\b[^<>]*>",
                           re.IGNORECASE)
# A comment left open runs to the end of the text, as in a browser: ending it at `-->` alone made a text of
# `<!--` repeated take quadratic time (5 s for 64 KB), each one looking for an end to the end of the text.
_ANY_TAG = re.compile(r"<\s*/?[a-zA-Z][^<>]*>|<!--.*?(?:-->|\Z)", re.DOTALL)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BR = re.compile(r"<\s*br\s*/?\s*>|\n", re.IGNORECASE)


def decode_entities(text: str) -> str:
    """`text` with HTML entities decoded; twice when the export encoded them twice (`&amp;lt;p&amp;gt;`)."""
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    return text


# The entities of markup written as entities, as GLPI stores rich text (the decimal ones in some versions).
_MARKUP_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&#60;", "<"), ("&#62;", ">"), ("&#x3c;", "<"),
                    ("&#x3e;", ">"), ("&#x3C;", "<"), ("&#x3E;", ">"), ("&quot;", '"'), ("&#34;", '"'),
                    ("&#039;", "'"), ("&#39;", "'"), ("&amp;", "&"))


_ENCODED_ONCE = ("&lt;", "&#60;", "&#x3c;", "&#x3C;")  # a `<` of markup entity-encoded
_ENCODED_TWICE = ("&amp;lt;", "&amp;#60;", "&amp;#x3c;", "&amp;#x3C;")  # the same encoded again, or typed text's


def html_to_text(text: str) -> str:
    """Plain text from a cell that may hold HTML, entity-encoded (once or twice) or not.

    Block tags and `<br>` become line ends, other tags vanish, entities are
    decoded, runs of spaces become one and empty lines are dropped. The markup's
    own entities are replaced with str.replace before html.unescape sees what
    is left: unescape calls Python once per entity, and an encoded description
    has dozens (1.5 s of 5 for 100,000 tickets).

    Each layer of encoding is taken off once, so that text typed as `<script>`
    stays that text and is never taken for markup: in GLPI's rich text (HTML,
    entity-encoded) the markup is `&lt;p&gt;` and the typed `<` is `&amp;lt;`;
    only a cell with no `&lt;` at all is markup encoded twice. A cell holding
    tags is HTML as it is: its entities are its text's.
    """
    if not text:
        return ""
    if "&" in text and not ("<" in text and _ANY_TAG.search(text)):
        if not any(e in text for e in _ENCODED_ONCE) and any(e in text for e in _ENCODED_TWICE):
            text = text.replace("&amp;", "&")  # markup encoded twice
        if any(e in text for e in _ENCODED_ONCE):
            for entity, char in _MARKUP_ENTITIES:
                if entity in text:
                    text = text.replace(entity, char)
    if "<" in text:
        text = _ANY_TAG.sub("", _BREAKING_TAG.sub("\n", text))
    if "&" in text:
        text = html.unescape(text)
    if "\r" in text or "\u00a0" in text:
        text = text.replace("\r", "").replace("\u00a0", " ")
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip(" \n")


# Rich-text cells a reader remembers, converted, up to this length: solutions come back row after row
# (a fifth of bench/mining.py's are distinct), long descriptions seldom do.
KEPT_LENGTH = 4000


@functools.lru_cache(maxsize=8192)
def _kept_html_to_text(text: str) -> str:
    return html_to_text(text)


def rich_text(cell: str) -> str:
    """`html_to_text` of a rich-text cell, a short cell converted once however often it comes back."""
    return _kept_html_to_text(cell) if len(cell) <= KEPT_LENGTH else html_to_text(cell)


def plain_text(text: str) -> str:
    """A cell of plain text (a title): its entities decoded, once, and nothing in it taken for markup."""
    return html.unescape(text) if "&" in text else text


def one_line(text: str) -> str:
    """`text` on one line: a title never spans lines."""
    return " ".join(text.split())


@functools.lru_cache(maxsize=65536)  # the same requesters and technicians come back row after row
def split_values(cell: str) -> tuple[str, ...]:
    """The values of a multi-valued cell: GLPI puts `<br>` (sometimes entity-encoded) between them."""
    if not cell:
        return ()
    cell = decode_entities(cell) if "&" in cell else cell
    return tuple(v for v in (one_line(_ANY_TAG.sub("", part)) for part in _BR.split(cell)) if v)


@functools.lru_cache(maxsize=65536)  # a few entities and categories, on every row
def path_segments(cell: str) -> tuple[str, ...]:
    """`Entité racine > Client` or `Bureautique > Outlook` as its segments. The tools write ` > ` between
    segments, entity-encoded once or twice (` &gt; `, ` &amp;gt; `): the cell is split there, then each
    segment's entities are decoded once, as a title's are, so that a name typed with `>`, `<i>` or `&lt;`
    in it stays that name."""
    return tuple(s for s in (one_line(plain_text(part)) for part in _SEGMENT_BREAK.split(cell)) if s)


_SEGMENT_BREAK = re.compile(r"\s+(?:>|&gt;|&amp;gt;|&#62;|&#x3[eE];)\s+")


# ---------------------------------------------------------------- ids

# 2 553, 2\u00a0553 (no-break space), 2\u202f553 (narrow no-break space), 2,553, 2.553, 2'553
_GROUPED_ID = re.compile(r"\d{1,3}(?:[\s\u00a0\u202f,.'\u2019]\d{3})+")


def ticket_id(cell: str) -> str:
    """The ticket's id: digits grouped by a thousands separator are joined; other ids are kept as written."""
    value = cell.strip()
    if not value:
        raise BadCell("empty", "the ticket's id")
    if _GROUPED_ID.fullmatch(value):
        return re.sub(r"\D", "", value)
    return value


def numeric_id(cell: str) -> str:
    """A GLPI id: digits, maybe grouped (`2 553`)."""
    value = ticket_id(cell)
    if not value.isdigit():
        raise BadCell(f"{quoted(cell)} is not a number", "a ticket number such as 2553 or 2 553")
    return str(int(value))


# ---------------------------------------------------------------- dates

_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?")
_YEAR_LAST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?")
DATE_FORMATS = "Y-m-d, d-m-Y or m-d-Y, with hours (2025-03-14 09:30)"


class DateOrder:
    """Whether a file's dates with the year last are day first (d-m-Y) or month first (m-d-Y).

    GLPI writes dates in each user's chosen format, so one file holds one
    order. A date whose first number is over 12 shows day first, whose second
    is, month first; `decided` is None while every date seen could be either.
    """

    def __init__(self, default: str = "dmy"):
        self.decided: str | None = None
        self.default = default

    def observe(self, cell: str) -> None:
        if self.decided is None:
            found = _YEAR_LAST.match(cell.strip())
            if found:
                first, second = int(found.group(1)), int(found.group(2))
                if first > 12 >= second:
                    self.decided = "dmy"
                elif second > 12 >= first:
                    self.decided = "mdy"

    @property
    def order(self) -> str:
        return self.decided or self.default


def parse_datetime(cell: str, order: DateOrder | None = None) -> dt.datetime | None:
    """A date and time from an export; None for an empty cell. Aware times become naive UTC."""
    value = cell.strip()
    if not value:
        return None
    try:
        found = _YEAR_FIRST.fullmatch(value)
        if found:
            year, month, day, hour, minute, seconds = found.groups()
        else:
            found = _YEAR_LAST.fullmatch(value)
            if found:
                first, second, year, hour, minute, seconds = found.groups()
                day, month = (first, second) if (order.order if order else "dmy") == "dmy" else (second, first)
        if found:
            return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(seconds or 0))
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))  # ISO 8601 with a zone, in JSON
    except ValueError:
        raise BadCell(f"{quoted(value)} is not a date", DATE_FORMATS) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


# ---------------------------------------------------------------- statuses and levels

# Status labels of GLPI (French, English, and the numbers of its API), iTop (codes, English and French
# labels) and our neutral format, by normal form.
_SOLVED = {"5", "solved", "resolu", "resolue", "resolved"}
_CLOSED = {"6", "closed", "clos", "close", "closes", "ferme", "fermee"}
_OTHER = {
    "1", "2", "3", "4", "new", "nouveau", "nouvelle", "open", "ouvert", "in progress", "en cours",
    "processing assigned", "processing planned", "en cours attribue", "en cours planifie",
    "pending", "en attente", "assigned", "assigne", "escalated tto", "escalated ttr",
    "waiting for approval", "approved", "rejected", "dispatched", "redispatched",
    "escalade tto", "escalade ttr", "en attente d approbation", "approuve", "rejete",
}
STATUS_LABELS = "a status such as Résolu/Solved, Clos/Closed, Nouveau/New, En cours/Processing, En attente/Pending"


def normal_status(cell: str) -> str:
    """solved | closed | other, from any tool's status label or number."""
    form = normal_form(cell)
    if form in _SOLVED:
        return "solved"
    if form in _CLOSED:
        return "closed"
    if form in _OTHER:
        return "other"
    raise BadCell(f"{quoted(cell)} is not a known status" if cell.strip() else "empty", STATUS_LABELS)


_N1_WORDS = re.compile(r"\b(?:n ?1|niveau 1|level 1|l1|helpdesk|help desk|hotline|service desk|support 1)\b")
_N2_WORDS = re.compile(r"\b(?:n ?2|niveau 2|level 2|l2|support 2|expert|experts|expertise)\b")


def level_from_value(cell: str) -> str:
    """n1 | n2 | unknown, from a column that says the level (`n1`, `N2`, `niveau 1`, empty)."""
    form = normal_form(cell)
    if not form:
        return "unknown"
    if form in ("1", "n1", "n 1", "niveau 1", "level 1", "l1"):
        return "n1"
    if form in ("2", "n2", "n 2", "niveau 2", "level 2", "l2"):
        return "n2"
    if form in ("unknown", "inconnu"):
        return "unknown"
    raise BadCell(f"{quoted(cell)} is not a level", "n1, n2 or empty")


@functools.lru_cache(maxsize=4096)  # a few groups, on every row
def level_from_groups(groups: tuple[str, ...]) -> str:
    """n1 | n2 | unknown, from the names of the groups a ticket was assigned to.

    A group whose name says N2 (`Support N2 systèmes`, `niveau 2`, `experts`)
    means the ticket went up: n2 wins over n1. A name saying N1, helpdesk or
    hotline means n1. Nothing said: unknown.
    """
    forms = [normal_form(g) for g in groups]
    if any(_N2_WORDS.search(f) for f in forms):
        return "n2"
    if any(_N1_WORDS.search(f) for f in forms):
        return "n1"
    return "unknown"


def normal_kind(cell: str) -> str:
    """incident | request | "" from GLPI's `Type` (Incident, Demande/Request, 1, 2) or iTop's class."""
    form = normal_form(cell)
    if form in ("incident", "1"):
        return "incident"
    if form in ("demande", "request", "2", "userrequest", "user request"):
        return "request"
    return ""
