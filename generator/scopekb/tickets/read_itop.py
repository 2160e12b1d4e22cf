"""iTop's CSV export of UserRequest or Incident objects, with attribute codes as the header.

The columns read are `ref`, `title`, `description` (HTML), `org_name` (the
client), `service_name` and `servicesubcategory_name` (the category, two
segments), `status` (codes such as `resolved`, `closed`, or their English or
French labels), `solution`, `start_date`, `resolution_date`, `close_date`,
and where present `caller_id_friendlyname`, `agent_id_friendlyname` and
`team_id_friendlyname` (the team tells the level) and `finalclass`.
"""
from __future__ import annotations

from collections.abc import Iterator

from .read_fields import DateOrder, one_line
from .read_rows import CsvRows, Dialect, csv_tickets

# Attribute codes by normal form (`caller_id->friendlyname` and `caller_id_friendlyname` alike) -> field.
CSV_COLUMNS = {
    "ref": "id", "title": "title", "description": "description",
    "org name": "client", "org id friendlyname": "client",
    "service name": "service", "service id friendlyname": "service",
    "servicesubcategory name": "subcategory", "servicesubcategory id friendlyname": "subcategory",
    "status": "status", "solution": "solution",
    "start date": "opened", "resolution date": "resolved", "close date": "closed",
    "caller id friendlyname": "requesters", "caller name": "requesters",
    "agent id friendlyname": "technicians", "agent name": "technicians",
    "team id friendlyname": "groups", "team name": "groups",
    "finalclass": "kind",
}
DATE_FIELDS = ("opened", "resolved", "closed")


def _category(cells: dict[str, str]) -> tuple[str, ...]:
    return tuple(s for s in (one_line(cells.get("service", "")), one_line(cells.get("subcategory", ""))) if s)


DIALECT = Dialect("itop-csv", category_from=_category)


def is_itop_csv(header_forms: set[str]) -> bool:
    """An iTop export: `ref` and `title` attribute codes."""
    return {"ref", "title"} <= header_forms


def read_itop_csv(rows: CsvRows) -> Iterator:
    """The tickets of an iTop CSV export, a problem line for each row that cannot be read."""
    order = DateOrder(default="dmy")  # iTop writes Y-m-d H:i:s; a localized export may not
    yield from csv_tickets(rows, CSV_COLUMNS, DIALECT, DATE_FIELDS, order)
