"""Reading ticket exports: every format with its quirks, bad rows reported with file and line and skipped."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scopekb.tickets import read_export, read_tickets
from scopekb.tickets.read_fields import DateOrder, html_to_text, numeric_id, parse_datetime, split_values
from scopekb.tickets.records import Ticket

REPO = Path(__file__).resolve().parents[1]
FORMATS = REPO / "tests" / "data" / "tickets" / "formats"


def read(name: str) -> tuple[str, list[Ticket], list[str]]:
    kind, items = read_export(FORMATS / name, f"formats/{name}")
    items = list(items)
    return kind, [t for t in items if isinstance(t, Ticket)], [p for p in items if not isinstance(p, Ticket)]


def by_id(tickets: list[Ticket]) -> dict[str, Ticket]:
    return {t.id: t for t in tickets}


def test_glpi_csv_in_french_with_its_quirks():
    kind, tickets, _ = read("glpi-fr.csv")
    assert kind == "glpi-csv"
    first = by_id(tickets)["2553"]  # "2 553": a thousands separator
    assert first.line == 2
    assert first.title == 'Imprimante "HP" hors ligne'  # GLPI wrote '' for "
    assert first.client == "Cabinet Dupont"  # the last segment of the entity path (&gt; decoded)
    assert first.category == ("Matériel", "Imprimante")
    assert first.description == "Bonjour,\nl'imprimante affiche \"hors ligne\"\nmerci"  # &lt;p&gt; HTML, twice encoded
    assert first.solution == "Spouleur redémarré"
    assert first.requesters == ("Durand Marie", "Petit Luc")  # <br> between the values
    assert first.technicians == ("Martin Paul",)
    assert (first.status, first.level, first.kind) == ("closed", "n1", "incident")
    assert first.opened == dt.datetime(2025, 3, 14, 9, 30)  # d-m-Y: 14 cannot be a month
    assert first.resolved == dt.datetime(2025, 3, 14, 10, 5)
    assert first.closed == dt.datetime(2025, 3, 15, 8, 0)
    second = by_id(tickets)["2554"]  # "2\u00a0554": a no-break space as separator
    assert second.description == "Outlook reste bloqué\nsur le chargement du profil"  # a cell over two lines
    assert (second.status, second.level, second.kind) == ("solved", "n2", "request")
    assert second.line == 3
    assert by_id(tickets)["2557"].status == "other"  # En cours (Attribué)


def test_glpi_csv_bad_rows_are_one_line_each_and_skipped():
    _, tickets, problems = read("glpi-fr.csv")
    assert problems == [
        "formats/glpi-fr.csv:5: Date d'ouverture: '31-02-2025 10:00' is not a date "
        "(expected Y-m-d, d-m-Y or m-d-Y, with hours (2025-03-14 09:30))",
        "formats/glpi-fr.csv:6: row: 13 cells (expected 14 cells and a final delimiter, as the header has)",
        "formats/glpi-fr.csv:8: Statut: 'Archivé' is not a known status (expected a status such as "
        "Résolu/Solved, Clos/Closed, Nouveau/New, En cours/Processing, En attente/Pending)",
        "formats/glpi-fr.csv:9: ID: 'ABC' is not a number (expected a ticket number such as 2553 or 2 553)",
    ]
    assert sorted(t.id for t in tickets) == ["2553", "2554", "2557"]  # the rows after a bad one are read


def test_glpi_csv_in_english_month_first_no_trailing_delimiter():
    kind, tickets, problems = read("glpi-en.csv")
    assert kind == "glpi-csv" and problems == []
    vpn, printer, pending = by_id(tickets)["1204"], by_id(tickets)["1205"], by_id(tickets)["1206"]
    assert vpn.opened == dt.datetime(2025, 3, 25, 8, 15)  # m-d-Y: 25 cannot be a month
    assert printer.opened == dt.datetime(2025, 4, 2, 10, 0)  # so 04-02 is April 2nd in this file
    assert vpn.description == "VPN times out" and vpn.solution == "Certificate renewed"  # &#60;p&#62;
    assert (vpn.status, printer.status, pending.status) == ("closed", "solved", "other")
    assert printer.client == "Unknown Bakery" and printer.kind == "request"


def test_glpi_api_json_takes_the_last_accepted_solution():
    kind, tickets, problems = read("glpi-api.json")
    assert kind == "glpi-json"
    wifi = by_id(tickets)["3101"]
    assert wifi.solution == "Canal changé sur la borne"  # not the refused one
    assert wifi.requesters == ("Masson Inès",) and wifi.technicians == ("Roux Thomas",)
    assert (wifi.status, wifi.level, wifi.line) == ("closed", "n2", 2)
    assert wifi.client == "Clinique des Châtaigniers" and wifi.category == ("Réseau", "Wi-Fi")
    screen = by_id(tickets)["3102"]
    assert screen.status == "other" and screen.line == 23
    assert screen.opened == dt.datetime(2025, 5, 13, 7, 0)  # +02:00 made UTC
    assert problems == ["formats/glpi-api.json:34: status: '9' is not a known status (expected a status such as "
                        "Résolu/Solved, Clos/Closed, Nouveau/New, En cours/Processing, En attente/Pending)"]


def test_itop_csv():
    kind, tickets, problems = read("itop.csv")
    assert kind == "itop-csv" and problems == []
    mail, server, open_one = (by_id(tickets)[i] for i in ("R-000101", "I-000102", "R-000103"))
    assert mail.category == ("Bureautique", "Messagerie") and mail.client == "Office notarial Garnier & Roux"
    assert mail.description == "Ma boîte aux lettres est pleine, je ne reçois plus rien"
    assert (mail.status, mail.level, mail.kind) == ("closed", "n1", "request")
    assert (server.status, server.level, server.kind) == ("solved", "n2", "incident")
    assert server.resolved == dt.datetime(2025, 6, 3, 15, 0) and server.closed is None
    assert open_one.status == "other"


def test_scopekb_csv_yaml_and_json_lines():
    kind, tickets, problems = read("tickets.csv")
    assert kind == "scopekb-csv"
    toner = by_id(tickets)["N-1"]
    assert toner.requesters == ("Durand Marie", "Petit Luc") and toner.level == "n1"
    assert by_id(tickets)["N-2"].opened == dt.datetime(2025, 7, 2, 10, 0)
    assert problems == ["formats/tickets.csv:4: level: 'n3' is not a level (expected n1, n2 or empty)"]
    kind, tickets, problems = read("tickets.yaml")
    assert kind == "scopekb-yaml"
    sage = by_id(tickets)["Y-1"]
    assert (sage.line, sage.category, sage.level) == (2, ("Logiciels métier", "Sage"), "n2")
    assert sage.opened == dt.datetime(2025, 8, 1, 8, 0) and sage.requesters == ("Fontaine Luc",)
    assert by_id(tickets)["Y-3"].line == 18
    assert problems == ["formats/tickets.yaml:16: ticket: YAML syntax error: did not find expected ',' or ']' "
                        "(expected valid YAML)"]
    kind, tickets, problems = read("tickets.jsonl")
    assert kind == "scopekb-json" and problems == []
    assert [(t.id, t.line, t.category) for t in tickets] == [("J-1", 1, ("Réseau", "VPN")), ("J-2", 2, ())]


def test_a_folder_is_read_whole_with_counts_of_skipped_rows():
    result = read_tickets(FORMATS, root=REPO)
    src = "tests/data/tickets/formats/"
    assert result.formats[src + "notes.txt"] == "unknown"
    assert src + "notes.txt:1: document: unknown format, header 'Ceci est une note, pas un export.' (expected " \
           "a ticket export: GLPI CSV (French or English labels), GLPI API JSON, iTop CSV, scopekb CSV, YAML " \
           "or JSON (see docs/tickets.md))" in result.problems
    assert result.skipped == {src + "glpi-fr.csv": 4, src + "glpi-api.json": 1, src + "tickets.csv": 1,
                              src + "tickets.yaml": 1}
    assert result.skipped_total == 7 and len(result.problems) == 8  # the unknown file skips no row
    assert len(result.tickets) == 17


def test_missing_folder_and_empty_or_binary_files(tmp_path):
    assert read_tickets(tmp_path / "none").tickets == []
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02")
    result = read_tickets(tmp_path)
    assert result.tickets == [] and result.formats[f"{tmp_path}/empty.csv"] == "empty"
    assert result.problems == [f"{tmp_path}/blob.bin:1: document: binary data (expected a ticket export: GLPI CSV "
                               "(French or English labels), GLPI API JSON, iTop CSV, scopekb CSV, YAML or JSON "
                               "(see docs/tickets.md))"]


def test_an_unclosed_quote_ends_the_file_with_one_problem(tmp_path):
    (tmp_path / "cut.csv").write_text('"ID";"Titre";"Statut"\n"1";"Bon";"Clos"\n"2";"Pas fini;"Clos"\n', "utf-8")
    result = read_tickets(tmp_path)
    assert [t.id for t in result.tickets] == ["1"]
    assert len(result.problems) == 1 and result.problems[0].startswith(f"{tmp_path}/cut.csv:3: row: ")


def test_a_windows_1252_export_is_read(tmp_path):
    text = "ref,title,status,org_name\nR-1,Imprimante bloquée,closed,Hôtel Le Belvédère\n"
    (tmp_path / "itop.csv").write_bytes(text.encode("cp1252"))
    result = read_tickets(tmp_path)
    assert [(t.title, t.client) for t in result.tickets] == [("Imprimante bloquée", "Hôtel Le Belvédère")]


def test_a_json_syntax_error_is_one_problem(tmp_path):
    (tmp_path / "api.json").write_text('[{"id": 1, "name": "a", "status": 5},\n{"id": 2, "name": }]', "utf-8")
    result = read_tickets(tmp_path)
    assert [t.id for t in result.tickets] == ["1"]
    assert result.problems == [f"{tmp_path}/api.json:2: document: JSON syntax error: Expecting value "
                               "(expected valid JSON)"]


@pytest.mark.parametrize("cell, expected", [
    ("2 553", "2553"), ("2\u00a0553", "2553"), ("2\u202f553", "2553"), ("1,234,567", "1234567"), ("42", "42")])
def test_ids_with_thousands_separators(cell, expected):
    assert numeric_id(cell) == expected


def test_html_in_its_encodings():
    assert html_to_text("&lt;p&gt;a&lt;/p&gt;&lt;p&gt;b&amp;nbsp;c&lt;/p&gt;") == "a\nb c"
    assert html_to_text("&#60;p&#62;a&#60;br&#62;b&#60;/p&#62;") == "a\nb"
    assert html_to_text("<div>x &lt; y</div>") == "x < y"
    assert html_to_text("plain 3 < 4 text") == "plain 3 < 4 text"
    assert split_values("A B&lt;br&gt;C D<br/>E") == ("A B", "C D", "E")


def test_date_order_is_decided_by_the_first_unambiguous_date():
    order = DateOrder()
    for cell in ("01-02-2025 10:00", "03-04-2025 10:00", "12-13-2025 10:00"):
        order.observe(cell)
    assert order.order == "mdy"
    assert parse_datetime("01-02-2025 10:00", order) == dt.datetime(2025, 1, 2, 10, 0)
    assert parse_datetime("2025-02-01 10:00:05", order) == dt.datetime(2025, 2, 1, 10, 0, 5)
    assert parse_datetime("", order) is None


def test_a_large_file_is_streamed(tmp_path):
    """Reading goes row by row: 20,000 rows come through with one bad row reported at its line."""
    rows = ['"ID";"Titre";"Statut";"Date d\'ouverture"']
    rows += [f'"{i}";"Ticket {i}";"Clos";"01-02-2025 10:00"' for i in range(1, 20_001)]
    rows[15_000] = '"15000";"Ticket";"Clos";"pas une date"'
    (tmp_path / "big.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = read_tickets(tmp_path)
    assert len(result.tickets) == 19_999
    assert result.problems == [f"{tmp_path}/big.csv:15001: Date d'ouverture: 'pas une date' is not a date "
                               "(expected Y-m-d, d-m-Y or m-d-Y, with hours (2025-03-14 09:30))"]


def test_odd_bytes_are_problems_never_exceptions(tmp_path):
    """Stray carriage returns in a header, bytes Windows-1252 has no character for, broken UTF-8 after the
    first 64 KiB: each file gives problem lines or tickets, and reading goes on (the YAML item being read
    when the encoding breaks is lost with the rest of its file)."""
    (tmp_path / "cr.csv").write_bytes(b'ID;Ti\rtre;"Statut\n1;a;Clos\n')
    (tmp_path / "cp1252.csv").write_bytes(b"ref,title,status\nR-1,Imprimante \x8d bloqu\xe9e,closed\n")
    late = b'- id: "1"\n  title: ok\n  status: closed\n' + b"# " + b"x" * 70_000 + b"\n- id: 2\n  title: \xff\n"
    (tmp_path / "late.yaml").write_bytes(late)
    result = read_tickets(tmp_path)
    assert sorted(t.id for t in result.tickets) == ["R-1"]
    assert [t.title for t in result.tickets if t.id == "R-1"] == ["Imprimante \ufffd bloquée"]
    assert f"{tmp_path}/late.yaml:1: document: not utf-8 text further in the file (expected one text encoding " \
           "for the whole file (UTF-8))" in result.problems
    assert any(p.startswith(f"{tmp_path}/cr.csv:1: document: unknown format") for p in result.problems)
