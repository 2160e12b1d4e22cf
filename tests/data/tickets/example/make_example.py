"""Writes content/tickets/glpi-2026.csv, the example knowledge base's ticket export, from the labeled set.

Run from the repository root: `python tests/data/tickets/example/make_example.py`. The output is
committed; this script shows how it was made. It is the labeled GLPI export
(tests/data/tickets/labeled/labeled.glpi.csv: 362 tickets of the example's clients, with the quirks of
GLPI's CSV, personal data in the texts, an unknown client, tickets of no category), every date moved
one year later (January to November 2026), so that the example site has calls in its last 12 months.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
SOURCE = REPO / "tests" / "data" / "tickets" / "labeled" / "labeled.glpi.csv"
TARGET = REPO / "content" / "tickets" / "glpi-2026.csv"
SHIFT = dt.timedelta(days=365)
_DATE = re.compile(r'"(\d\d-\d\d-\d{4} \d\d:\d\d)"')


def later(found: re.Match) -> str:
    moment = dt.datetime.strptime(found.group(1), "%d-%m-%Y %H:%M") + SHIFT
    return f'"{moment.strftime("%d-%m-%Y %H:%M")}"'


def main() -> None:
    text = SOURCE.read_bytes().decode("utf-8")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(_DATE.sub(later, text).encode("utf-8"))
    print(f"{TARGET.relative_to(REPO)}: {text.count(chr(10)) - 1} lines, dates moved by {SHIFT.days} days")


if __name__ == "__main__":
    main()
