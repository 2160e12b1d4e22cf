"""Generated input, valid and broken (hypothesis): contracts, provider files, article front matter, ticket rows.

Each example is written as files and put to the commands as a maintainer would: `scopekb validate`, then
for valid data `scopekb check` of each client and the site's pages as data (render_site, each client's
page and tree). Whatever the input: no exception but the ones the command turns into its one-line errors,
an exit status of 0 or 2, and each error line `FILE:LINE: key: problem (expected ...)` naming the file
written and a line it has. Ticket exports (GLPI CSV, scopekb's CSV) go through read and mine: never an
exception, each problem a line naming the export and one of its lines.

How many examples: the hypothesis profile (tests/conftest.py): "ci" by default, `--hypothesis-profile=long`
for many more. Texts mix any Unicode with what is hostile to YAML, HTML, Markdown and Jinja.
"""
from __future__ import annotations

import copy
import csv
import io
import json
import re
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kb_builder import PROVIDER, write_kb
from scopekb.cli import cli
from scopekb.errors import InputError
from scopekb.kb.articles import with_articles
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import normal_form
from scopekb.site.pages import generated_pages, page_body, render_site
from scopekb.site.context import SiteContext
from scopekb.tickets import mine_knowledge_base

ERROR_LINE = re.compile(r'^(?P<file>[^:\s][^:]*):(?P<line>\d+): (?:[\w\[\].-]|"(?:[^"\\]|\\.)*")+: .+ \(expected .+\)$')
# a ticket problem names the export's column as its header writes it: `Date d'ouverture`
TICKET_LINE = re.compile(r"^(?P<file>content/tickets/[^:]+):(?P<line>\d+): [^:]+: .+ \(expected .+\)$")
VERDICTS = {"handle", "route", "out-of-scope", "no-contract", "ask"}
HOSTILE = ["<script>alert(1)</script>", "</script>", "<!--", "\u2028", "\u2029", "\u202e", "\u0085", "{{ 7*7 }}",
           "{% x %}", '--8<-- "/etc/passwd"', "!!! note", "'", '"', "&amp;", "&lt;b&gt;", "e\u0301", "\t", "#",
           ": ", "- ", "[", "]", "{", "}", "*a", "&a", "!!python/name:os.system", "%", "@", "`", "\\", "\ufeff",
           "\U0001f600", "ß", "İ", "東方", "\x7f", ",", "|", ">", "~", "null", "2025-02-30", "..", "/"]
WORDS = ["Alpha", "Imprimante", "laser", "Word", "PRN-1", "x", "Brother HL", "réseau"]

texts = st.one_of(st.text(max_size=10),
                  st.lists(st.sampled_from(HOSTILE + WORDS), min_size=1, max_size=4).map(" ".join),
                  st.sampled_from(WORDS))
dates = st.dates().map(lambda d: d.isoformat())
WRONG = [None, 0, 1.5, True, [], {}, ["a", ["b"]], {"k": "v"}, "", " ", "x" * 1001, "2025-02-30", "n3", "yes",
         "2025-1-1", "\x00"]
CATEGORIES = ["office", "printers", "workstations", "servers", "network", "training"]
TEAMS = ["helpdesk", "n2-sys", "n2-apps", "onsite", "boss", "sales"]


@st.composite
def contracts(draw, index: int) -> dict:
    scope = []
    for _ in range(draw(st.integers(0, 3))):
        entry = {"category": draw(st.sampled_from(CATEGORIES)), "level": draw(st.sampled_from(["n1", "n2"]))}
        if entry["level"] == "n2":
            entry["team"] = draw(st.sampled_from(TEAMS))
        if draw(st.booleans()):
            entry["items"] = draw(st.lists(texts, min_size=1, max_size=3))
        scope.append(entry)
    data = {
        "id": f"CTR-{index}" if draw(st.booleans()) else draw(texts),
        "client": {"name": f"Client {index} " + draw(texts)},
        "signed": draw(dates),
        "services": draw(st.lists(st.sampled_from(["incident", "installation", "information", "change"]),
                                  min_size=1, unique=True)),
        "scope": scope,
    }
    if draw(st.booleans()):
        data["client"]["aliases"] = draw(st.lists(texts, min_size=1, max_size=3))
    if draw(st.booleans()):
        data["equipment"] = {"policy": draw(st.sampled_from(["all", "listed", "acquired-before-signature"])),
                             "items": [{"id": draw(texts), "category": draw(st.sampled_from(CATEGORIES)),
                                        "model": draw(texts), "acquired": draw(dates)}
                                       for _ in range(draw(st.integers(0, 3)))]}
    for key in ("public_notes", "internal_notes"):
        if draw(st.booleans()):
            data[key] = draw(texts)
    if draw(st.booleans()):
        data["out_of_scope"] = {"escalate_to": draw(st.sampled_from(TEAMS)), "may_propose": ["extension"]}
    return data


def key_paths(value, path=()) -> list[tuple]:
    """Every key path of a structure of dicts and lists."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, sub in value.items():
            found += key_paths(sub, (*path, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            found += key_paths(sub, (*path, i))
    return found


@st.composite
def broken(draw, data: dict) -> dict:
    """`data` with a few of the mistakes maintainers make: a key gone, a value of the wrong kind, a key unknown."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(0, 3))):
        paths = key_paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["delete", "wrong", "unknown"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "wrong":
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(WRONG)))
        elif isinstance(parent, dict):
            parent[draw(texts) or "x"] = copy.deepcopy(draw(st.sampled_from(WRONG)))
    return data


@st.composite
def yaml_texts(draw, data: dict) -> str:
    """`data` as YAML, now and then cut, or spliced with a piece of YAML."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=draw(st.sampled_from([80, 10 ** 6])))
    how = draw(st.sampled_from(["as is", "as is", "as is", "cut", "spliced"]))
    if how != "as is":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + (draw(st.sampled_from(HOSTILE)) if how == "spliced" else "")
    return text


def run(*args: str) -> tuple[int, str, str]:
    """A command run as `scopekb` runs it (cli.main), in this process: (exit status, stdout, stderr)."""
    runner = CliRunner()
    result = runner.invoke(cli, list(args), catch_exceptions=True)
    if result.exception is None or isinstance(result.exception, SystemExit):
        return result.exit_code, result.stdout, result.stderr
    if isinstance(result.exception, InputError):  # cli.main prints these, one a line, and exits 2
        return 2, result.stdout, "\n".join(result.exception.messages)
    raise result.exception  # a traceback for the user: the test fails with it


def assert_error_lines(stderr: str, root: Path) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "exit 2 without a word"
    for line in lines:
        found = ERROR_LINE.match(line)
        assert found, line
        path = root / found["file"]
        assert path.is_file(), line
        count = len(re.split(r"\r\n|\r|\n", path.read_text(encoding="utf-8", errors="replace")))  # as editors count
        assert 1 <= int(found["line"]) <= count, (line, count)


def check_everything(root: Path) -> None:
    """validate; for valid data, check each client and the pages as data."""
    status, _, err = run("validate", "--root", str(root))
    assert status in (0, 2), err
    if status == 2:
        assert_error_lines(err, root)
        return
    kb = with_articles(load_knowledge_base(root, use_cache=False), root)
    for client in kb.clients.values():
        # (an alias of no letter or digit names no client: its normal form is empty, docs/coverage.md)
        for name in [n for n in (client.name, client.slug, *client.aliases) if normal_form(n)]:
            # `--` first: a name may begin with a dash, as an option does
            status, out, err = run("check", "--json", "--root", str(root), "--date", "2025-06-01", "--", name)
            assert status == 0, err
            answer = json.loads(out)
            assert answer["verdict"] in VERDICTS and answer["client"] == client.slug, (name, answer)
    render_site(kb, "internal", "fr")
    import datetime as dt
    site = SiteContext(kb, "fr", dt.date(2025, 6, 1), True)
    for _, kind, slug, _, _ in generated_pages(kb, "fr"):
        page_body(site, kind, slug)


@given(st.lists(st.integers(1, 99), min_size=1, max_size=3, unique=True).flatmap(
    lambda ids: st.tuples(*[contracts(i).flatmap(lambda d: st.one_of(st.just(d), broken(d))).flatmap(yaml_texts)
                            for i in ids])))
def test_generated_contracts(texts_of_contracts):
    with tempfile.TemporaryDirectory() as folder:
        root = write_kb(Path(folder), {})
        for n, text in enumerate(texts_of_contracts):
            (root / "contracts" / f"c{n}.yaml").write_text(text, encoding="utf-8")
        check_everything(root)


@st.composite
def providers(draw) -> dict:
    data = yaml.safe_load(PROVIDER)
    for team in data["teams"].values():
        team["name"] = draw(texts) or "x"
        if draw(st.booleans()):
            team["phone"] = draw(texts)
    for category in data["catalog"].values():
        category["label"] = draw(texts) or "x"
        category["keywords"] = draw(st.lists(texts, max_size=3))
    data["provider"]["name"] = draw(texts) or "x"
    return data


ALPHA = {"id": "CTR-1", "client": {"name": "Alpha Conseil", "aliases": ["ACO"]}, "signed": "2025-01-10",
         "services": ["incident"], "scope": [{"category": "printers", "level": "n1"},
                                             {"category": "servers", "level": "n2", "team": "n2-sys"}]}


@given(providers().flatmap(lambda d: st.one_of(st.just(d), broken(d))).flatmap(yaml_texts))
def test_generated_provider_files(text):
    with tempfile.TemporaryDirectory() as folder:
        root = write_kb(Path(folder), {"alpha.yaml": yaml.safe_dump(ALPHA)})
        (root / "contracts" / "provider.yaml").write_text(text, encoding="utf-8")
        check_everything(root)


@st.composite
def front_matters(draw) -> dict:
    data = {"title": draw(texts) or "x", "categories": draw(st.lists(st.sampled_from(CATEGORIES), min_size=1,
                                                                      max_size=2, unique=True))}
    for key in ("symptoms", "products"):
        if draw(st.booleans()):
            data[key] = draw(st.lists(texts, max_size=3))
    if draw(st.booleans()):
        data["level"] = draw(st.sampled_from(["n1", "n2"]))
    return data


@given(st.lists(front_matters().flatmap(lambda d: st.one_of(st.just(d), broken(d))).flatmap(yaml_texts),
                min_size=1, max_size=3), st.lists(texts, min_size=3, max_size=3))
def test_generated_article_front_matter(front, bodies):
    with tempfile.TemporaryDirectory() as folder:
        root = write_kb(Path(folder), {"alpha.yaml": yaml.safe_dump(ALPHA)})
        for n, (text, body) in enumerate(zip(front, bodies)):
            path = root / "content" / "articles" / f"a{n}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"---\n{text}---\n\n{body}\n", encoding="utf-8")
        check_everything(root)


GLPI_HEADER = ["ID", "Titre", "Entité", "Statut", "Date d'ouverture", "Date de résolution", "Date de clôture", "Type",
               "Catégorie", "Demandeur - Demandeur", "Attribué à - Technicien", "Attribué à - Groupe de techniciens",
               "Description", "Solution - Solution"]
cells = st.one_of(texts, st.sampled_from(["2 553", "14-03-2025 09:30", "2025-03-14 09:30", "13-13-2025 10:00",
                                          "Clos", "Résolu", "Nouveau", "Incident", "Demande", "Matériel > Imprimante",
                                          "Entité racine > Alpha Conseil", "&lt;p&gt;x&lt;/p&gt;", "a<br>b", "''",
                                          "Helpdesk N1", "Support N2", "", "1,204"]))


@st.composite
def ticket_exports(draw) -> str:
    """A GLPI CSV export (as GLPI writes one, or with rows of the wrong width), or scopekb's own CSV."""
    if draw(st.booleans()):
        header, delimiter, trailing = GLPI_HEADER, ";", draw(st.booleans())
        first = "\ufeff"
    else:
        header = ["id", "title", "client", "category", "status", "opened", "resolved", "level", "description",
                  "solution"]
        delimiter, trailing, first = draw(st.sampled_from([",", ";", "\t"])), False, ""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header + ([""] if trailing else []))
    for _ in range(draw(st.integers(0, 8))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1]))
        row = [draw(cells) for _ in range(width)]
        writer.writerow(row + ([""] if trailing else []))
    text = first + out.getvalue()
    if draw(st.integers(0, 9)) == 0:  # cut anywhere: a quote left open, a row half written
        text = text[:draw(st.integers(0, len(text)))]
    return text


@given(st.lists(ticket_exports(), min_size=1, max_size=2))
def test_generated_ticket_exports(exports):
    with tempfile.TemporaryDirectory() as folder:
        root = write_kb(Path(folder), {"alpha.yaml": yaml.safe_dump(ALPHA)})
        tickets = root / "content" / "tickets"
        tickets.mkdir(parents=True)
        for n, text in enumerate(exports):
            (tickets / f"t{n}.csv").write_text(text, encoding="utf-8")
        result = mine_knowledge_base(root, load_knowledge_base(root, use_cache=False))
        for line in result.problems:
            found = TICKET_LINE.match(line)
            assert found and found["file"].startswith("content/tickets/t"), line
            count = (root / found["file"]).read_text(encoding="utf-8").count("\n") + 1
            assert 1 <= int(found["line"]) <= count, (line, count)
        for reason, unmapped in result.unmapped.items():
            for ticket in unmapped:
                assert re.fullmatch(r"content/tickets/t\d\.csv:\d+", ticket.where), ticket
        for scenario in result.scenarios:
            assert scenario.title and scenario.occurrences >= 3


@given(st.text(alphabet="[]{}-?:, \t\r\n\x85\u2028#'\"ax", max_size=300))
def test_the_quick_depth_bound_is_never_below_the_line_by_line_one(text):
    """kb/load.py: a file under the quick bound is composed without the finer count, which would find no
    more than the quick one does."""
    from scopekb.kb.load import _line_depth_bound, _quick_depth_bound

    lines = text.splitlines()
    assert _line_depth_bound(lines) <= _quick_depth_bound(text, lines)
