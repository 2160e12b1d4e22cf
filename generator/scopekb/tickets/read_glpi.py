"""GLPI's exports: the CSV of the ticket list (French or English labels) and the REST API's JSON.

The CSV is what `Export > CSV` of the ticket search gives: a UTF-8 BOM, `;`
between cells, every cell quoted, a trailing `;` on each line or none, `''`
for each `"` of a cell, rich text entity-encoded (`&lt;p&gt;`, `&#60;p&#62;`),
`<br>` between the values of a multi-valued cell, dates in the user's format
(Y-m-d, d-m-Y or m-d-Y, with hours), ids with a thousands separator (`2 553`),
the entity and the category as paths (`Entité racine > Client`).

The JSON is a list of Ticket objects as `GET /Ticket?expand_dropdowns=true`
returns them (dropdowns as names, `status` 1 to 6), each with the sub-items an
exporter fetched beside it: `ITILSolution` (the last accepted solution is the
resolution), `Ticket_User` (type 1 requester, 2 technician) and `Group_Ticket`
(type 2: the groups it was assigned to, which tell its level).
"""
from __future__ import annotations

from collections.abc import Iterator

from .read_fields import DateOrder, numeric_id
from .read_rows import Columns, CsvRows, Dialect, csv_tickets, ticket_from_cells
from .records import Ticket, problem

# Column labels, French and English, by normal form -> field.
CSV_COLUMNS = {
    "id": "id",
    "titre": "title", "title": "title",
    "entite": "client", "entity": "client",
    "statut": "status", "status": "status",
    "date d ouverture": "opened", "opening date": "opened",
    "date de resolution": "resolved", "resolution date": "resolved",
    "date de cloture": "closed", "closing date": "closed", "close date": "closed",
    "type": "kind",
    "categorie": "category", "category": "category",
    "demandeur demandeur": "requesters", "requester requester": "requesters",
    "demandeur": "requesters", "requester": "requesters",
    "attribue a technicien": "technicians", "assigned to technician": "technicians",
    "attribue a groupe de techniciens": "groups", "assigned to technician group": "groups",
    "attribue a groupe": "groups", "assigned to group": "groups",
    "description": "description",
    "solution solution": "solution", "solution": "solution",
}
CSV_DIALECT = Dialect("glpi-csv", read_id=numeric_id, client_is_path=True, double_apostrophe_is_quote=True)
DATE_FIELDS = ("opened", "resolved", "closed")


def is_glpi_csv(header_forms: set[str]) -> bool:
    """A GLPI ticket list: an `ID` column and a title column, in either language."""
    return "id" in header_forms and bool({"titre", "title"} & header_forms)


def read_glpi_csv(rows: CsvRows) -> Iterator[Ticket | str]:
    """The tickets of a GLPI CSV export, a problem line for each row that cannot be read."""
    order = DateOrder(default="dmy")
    yield from csv_tickets(rows, CSV_COLUMNS, CSV_DIALECT, DATE_FIELDS, order)


# ---------------------------------------------------------------- REST API JSON

ACCEPTED_SOLUTION = 3  # CommonITILValidation::ACCEPTED
REFUSED_SOLUTION = 4  # CommonITILValidation::REFUSED
API_DIALECT = Dialect("glpi-json", read_id=numeric_id, client_is_path=True)
API_COLUMNS = Columns(index={name: i for i, name in enumerate(
    ("id", "title", "status", "opened", "resolved", "closed", "client", "category", "kind",
     "requesters", "technicians", "groups", "description", "solution"))},
    label={"id": "id", "title": "name", "status": "status", "opened": "date", "resolved": "solvedate",
           "closed": "closedate", "client": "entities_id", "category": "itilcategories_id", "kind": "type",
           "requesters": "Ticket_User", "technicians": "Ticket_User", "groups": "Group_Ticket",
           "description": "content", "solution": "ITILSolution"})


def is_glpi_ticket(obj: object) -> bool:
    """A GLPI Ticket object: `id`, `name` and `content` or `status`."""
    return isinstance(obj, dict) and "id" in obj and "name" in obj and ("content" in obj or "status" in obj)


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _sub_items(ticket: dict, *keys: str) -> list[dict]:
    for key in keys:
        items = ticket.get(key)
        if isinstance(items, list):
            return [item for item in items if isinstance(item, dict)]
    return []


def _solution(ticket: dict) -> str:
    """The last accepted solution; failing one, the last not refused (GLPI before 9.3 had no status)."""
    solutions = sorted(_sub_items(ticket, "ITILSolution", "_solutions", "solutions"),
                       key=lambda s: (_text(s.get("date_creation")), _text(s.get("id"))))
    for wanted in (lambda s: s.get("status") == ACCEPTED_SOLUTION, lambda s: s.get("status") != REFUSED_SOLUTION):
        chosen = [s for s in solutions if wanted(s)]
        if chosen:
            return _text(chosen[-1].get("content"))
    return _text(ticket.get("solution"))


def _actors(items: list[dict], actor_type: int, name_key: str) -> str:
    names = [_text(i.get(name_key)) for i in items if i.get("type") in (actor_type, str(actor_type))]
    return "<br>".join(n for n in names if n)


def glpi_api_cells(ticket: dict) -> dict[str, str]:
    """A Ticket object's fields as the cells `ticket_from_cells` reads."""
    users = _sub_items(ticket, "Ticket_User", "_users")
    groups = _sub_items(ticket, "Group_Ticket", "_groups")
    return {
        "id": _text(ticket.get("id")), "title": _text(ticket.get("name")),
        "status": _text(ticket.get("status")), "opened": _text(ticket.get("date") or ticket.get("date_creation")),
        "resolved": _text(ticket.get("solvedate")), "closed": _text(ticket.get("closedate")),
        "client": _text(ticket.get("entities_id")), "category": _text(ticket.get("itilcategories_id")),
        "kind": _text(ticket.get("type")), "requesters": _actors(users, 1, "users_id"),
        "technicians": _actors(users, 2, "users_id"), "groups": _actors(groups, 2, "groups_id"),
        "description": _text(ticket.get("content")), "solution": _solution(ticket),
    }


def read_glpi_json(objects: Iterator[tuple[int, object] | str], source: str) -> Iterator[Ticket | str]:
    """The tickets of GLPI API objects, each with the line it starts on; problem lines pass through."""
    order = DateOrder(default="dmy")  # the API writes Y-m-d H:i:s; the order only matters for odd exports
    for item in objects:
        if isinstance(item, str):
            yield item
            continue
        line, obj = item
        if not is_glpi_ticket(obj):
            yield problem(source, line, "ticket", "not a GLPI Ticket object",
                          "an object with id, name and content or status")
            continue
        yield ticket_from_cells(glpi_api_cells(obj), API_COLUMNS, API_DIALECT, source, line, order)
