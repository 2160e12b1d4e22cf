"""Check YAML nodes against the schema and build the knowledge base.

Two stages, so that `load` can cache the first: `provider_from_node` and
`contract_from_node` check one file on its own; `assemble` checks what spans
files (known ids, unique contract ids, names shared by two clients). Every
error is collected with its file, line and key before anything is raised.
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
import re

import yaml

from scopekb.errors import InputError
from scopekb.kb.model import (Asset, Category, Client, Contract, KnowledgeBase, Provider, ScopeEntry, Team, normal_form,
                    slugify)
from scopekb.kb.schema import (CONTRACT, MAX_REPEATED_VALUES, MAX_TEXT_CHARS, MAX_VALUES, PROVIDER, Bool, Date, ListOf,
                               MapOf, OneOf, Pattern, Record, Type)

STANDARD_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp",
                                                     "map", "seq")}
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "yes", "on", "y"}
SHOWN_CHARS = 80  # of a value or key quoted in an error line
MAX_ERRORS_PER_FILE = 100  # error lines shown; one more line counts the others
# Control characters and line breaks in a quoted value, written as escapes: an error stays one line.
_ESCAPES = {c: json.dumps(chr(c))[1:-1] for c in [*range(0x20), 0x7F]} | {0x85: "\\x85", 0x2028: "\\u2028",
                                                                          0x2029: "\\u2029"}
# The key paths whose lines `assemble` reports; a contract keeps only these (it is cached, and
# a hundred key paths per contract would double the cache). Add any key a new check reports.
_CROSS_FILE_KEY = re.compile(r"(id|client\.(name|slug|lang|aliases\[\d+\])|scope\[\d+\]\.(category|team)"
                             r"|equipment\.items\[\d+\]\.category|out_of_scope\.escalate_to)$")


class Problems:
    """The errors of one file, each formatted as the CLI prints it: the first MAX_ERRORS_PER_FILE, then one
    line that counts the others (a list of a million wrong values would be a million lines)."""

    def __init__(self, source: str):
        self.source = source
        self.messages: list[str] = []
        self.more = 0
        self.more_line = 0

    def add(self, line: int, key: str, what: str, expected: str | None = None) -> None:
        if len(self.messages) < MAX_ERRORS_PER_FILE:
            tail = f" (expected {expected})" if expected else ""
            # a key quoted in the path may hold U+2028 or U+0085, line ends to many readers: escaped too
            self.messages.append(f"{self.source}:{line}: {one_line(key) or 'document'}: {one_line(what)}{tail}")
            return
        if not self.more:
            self.more_line = line
            self.messages.append("")
        self.more += 1
        self.messages[-1] = (f"{self.source}:{self.more_line}: document: {self.more} more "
                             f"error{'s' if self.more > 1 else ''} not shown (expected at most "
                             f"{MAX_ERRORS_PER_FILE} errors shown per file: fix these, then check again)")


def key_path(path: str, key: str) -> str:
    """The path of `key` under `path`, as error lines name it: a key with spaces or punctuation is quoted,
    so that the line stays unambiguous."""
    plain = _PLAIN_KEY.match(key) and len(key) <= SHOWN_CHARS
    name = key if plain else json.dumps(shown(key), ensure_ascii=False)
    return f"{path}.{name}" if path else name


def one_line(text: str) -> str:
    """`text` with its control characters and line breaks escaped (a value may hold them)."""
    return text.translate(_ESCAPES)


def shown(text: str) -> str:
    """A value as an error line quotes it: its first SHOWN_CHARS characters, then '...' if there are more."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


class _Walker:
    """Turns a node tree into plain values, recording each key path's line.

    It counts the values it meets (keys included, an alias counted as what it stands for) and stops at
    MAX_VALUES; the values met again through an alias of a list or mapping are also counted apart and
    stop at MAX_REPEATED_VALUES, so that an alias bomb (a few lines that expand a billion-fold) stops in
    a fraction of a second. An alias of a single value (a date written once, `*d` many times, as yaml.dump
    writes a shared date) costs one value, like the value itself.
    """

    def __init__(self, problems: Problems):
        self.problems = problems
        self.lines: dict[str, int] = {}
        self.visited = 0
        self.repeated = 0
        self.repeating = 0  # how many aliases of a list or mapping the walk is inside
        self.collections: set[int] = set()  # the lists and mappings met so far, by id

    def count(self, node: yaml.Node) -> None:
        self.visited += 1
        if self.repeating:
            self.repeated += 1
            if self.repeated > MAX_REPEATED_VALUES:
                raise _TooBig(node, "repeated")
        if self.visited > MAX_VALUES:
            raise _TooBig(node, "values")

    def value(self, node: yaml.Node, typ: Type, path: str):
        self.count(node)
        if isinstance(node, yaml.ScalarNode):
            return self._value(node, typ, path)
        if id(node) not in self.collections:
            self.collections.add(id(node))
            return self._value(node, typ, path)
        self.repeating += 1  # an alias of a list or mapping met before
        try:
            return self._value(node, typ, path)
        finally:
            self.repeating -= 1

    def _value(self, node: yaml.Node, typ: Type, path: str):
        line = node.start_mark.line + 1
        self.lines[path] = line
        if node.tag not in STANDARD_TAGS:
            self.problems.add(line, path, f"tag {node.tag} is not allowed", "plain YAML values")
            return None
        if isinstance(typ, (Record, MapOf)):
            return self.mapping(node, typ, path, line)
        if isinstance(typ, ListOf):
            if not isinstance(node, yaml.SequenceNode):
                self.problems.add(line, path, f"{_describe(node)} is not a list", typ.expected)
                return None
            if typ.non_empty and not node.value:
                self.problems.add(line, path, "empty list", typ.expected)
                return None
            items = [self.value(child, typ.item, f"{path}[{i}]") for i, child in enumerate(node.value)]
            return None if any(i is None for i in items) else items
        return self.scalar(node, typ, path, line)

    def scalar(self, node: yaml.Node, typ: Type, path: str, line: int):
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
            self.problems.add(line, path, f"{_describe(node)} is not {typ.expected}", typ.expected)
            return None
        text = node.value
        if isinstance(typ, Date):
            return self.date(text, path, line)
        if isinstance(typ, Bool):
            if not node.tag.endswith(":bool"):
                self.problems.add(line, path, f"'{text}' is not a boolean", typ.expected)
                return None
            return text.lower() in _TRUE
        if not text.strip():
            self.problems.add(line, path, "empty text", typ.expected)
            return None
        limit = getattr(typ, "max_chars", None)
        if limit is not None and len(text) > limit:
            self.problems.add(line, path, f"text of {len(text)} characters is too long",
                              f"a text of at most {limit} characters")
            return None
        if isinstance(typ, OneOf) and text not in typ.values:
            self.problems.add(line, path, f"'{shown(text)}' is not allowed", typ.expected)
            return None
        if isinstance(typ, Pattern) and not re.match(typ.regex, text):
            self.problems.add(line, path, f"'{text}' is not {typ.expected}", typ.expected)
            return None
        return text

    def date(self, text: str, path: str, line: int):
        if not _ISO_DATE.match(text):
            self.problems.add(line, path, f"'{shown(text)}' is not a date", "YYYY-MM-DD")
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.problems.add(line, path, f"'{text}' is no such day", "a real date YYYY-MM-DD")
            return None

    def mapping(self, node: yaml.Node, typ: Record | MapOf, path: str, line: int):
        if not isinstance(node, yaml.MappingNode):
            self.problems.add(line, path or "document", f"{_describe(node)} is not a mapping", typ.expected)
            return None
        out: dict = {}
        seen: set[str] = set()
        ok = True
        for key_node, value_node in node.value:
            self.count(key_node)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":null"):
                self.problems.add(key_line, path or "document", "a key must be plain text", "a key name")
                ok = False
                continue
            key = key_node.value
            sub = key_path(path, key)
            if key in seen:
                self.problems.add(key_line, sub, "duplicate key", "each key once per mapping")
                ok = False
                continue
            seen.add(key)
            if isinstance(typ, MapOf):
                if len(key) > MAX_TEXT_CHARS:
                    self.problems.add(key_line, sub, f"key of {len(key)} characters is too long",
                                      f"a key of at most {MAX_TEXT_CHARS} characters")
                    ok = False
                elif not re.match(typ.key_regex, key):
                    self.problems.add(key_line, sub, f"'{shown(key)}' is not {typ.key_noun}", typ.key_expected)
                    ok = False
                value = self.value(value_node, typ.value, sub)
            else:
                field = typ.field(key)
                if field is None:
                    known = [f.key for f in typ.fields]
                    close = difflib.get_close_matches(key, known, n=1)
                    hint = f", did you mean '{close[0]}'?" if close else ""
                    self.problems.add(key_line, sub, "unknown key" + hint, "one of " + ", ".join(known))
                    ok = False
                    continue
                value = self.value(value_node, field.type, sub)
            out[key] = value
            ok = ok and value is not None
        if isinstance(typ, Record):
            for field in typ.fields:
                if field.required and field.key not in out:
                    sub = f"{path}.{field.key}" if path else field.key
                    self.problems.add(line, sub, "missing", field.type.expected)
                    ok = False
        elif not out:
            self.problems.add(line, path, "empty mapping", typ.expected)
            ok = False
        return out if ok else None


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, limit: str):
        self.line = node.start_mark.line + 1
        self.limit = limit  # "values" or "repeated"


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag.endswith(":null"):
        return "an empty value"
    return f"'{shown(node.value)}'"


def too_many_values(what: str, aliases: bool) -> tuple[str, str]:
    """The problem and the expectation of a file with more than MAX_VALUES values; `what` is 'a contract'
    or 'a provider file'."""
    problem = f"more than {MAX_VALUES} values: {what} holds at most {MAX_VALUES} values"
    if aliases:
        problem += ", and aliases may be expanding"
    return problem, f"{what} of at most {MAX_VALUES} values"


def _walk(node: yaml.Node | None, record: Record, problems: Problems):
    if node is None:
        problems.add(1, "document", "the file is empty", record.expected)
        return None, {}
    walker = _Walker(problems)
    what = "a provider file" if record is PROVIDER else "a contract"
    try:
        data = walker.value(node, record, "")
    except _TooBig as too_big:
        if too_big.limit == "repeated":
            problems.add(too_big.line, "document", f"aliases repeat more than {MAX_REPEATED_VALUES} values: "
                         f"the aliases of {what} may repeat at most {MAX_REPEATED_VALUES} values in all",
                         "aliases of small parts, or the values written out")
        else:
            problems.add(too_big.line, "document", *too_many_values(what, walker.repeated > 0))
        return None, {}
    return data, walker.lines


def provider_from_node(node: yaml.Node | None, source: str) -> Provider | list[str]:
    """The provider file on its own: a Provider, or its error lines."""
    problems = Problems(source)
    data, lines = _walk(node, PROVIDER, problems)
    if data is None:
        return problems.messages
    teams = {tid: Team(tid, t["name"], t.get("phone", ""), t.get("email", ""), t.get("internal", False))
             for tid, t in data["teams"].items()}
    catalog = {cid: Category(cid, c["label"], c["kind"], tuple(c.get("keywords", ())))
               for cid, c in data["catalog"].items()}
    if "helpdesk" not in teams:
        problems.add(lines["teams"], "teams.helpdesk", "missing", "a team with id 'helpdesk'")
    elif teams["helpdesk"].internal:
        problems.add(lines["teams.helpdesk.internal"], "teams.helpdesk.internal",
                     "the helpdesk is the team clients call: it cannot be internal", "false, or no key")
    for key in ("escalation", "installation"):
        team = data["defaults"][key]
        if team not in teams:
            problems.add(lines[f"defaults.{key}"], f"defaults.{key}", f"unknown team '{team}'",
                         "one of " + ", ".join(teams))
    ticket_categories = data.get("ticket_categories", {})
    for path, category in ticket_categories.items():
        if category not in catalog:
            key = key_path("ticket_categories", path)
            problems.add(lines.get(key, 1), key, f"unknown category '{category}'",
                         "an id from the catalog: " + ", ".join(catalog))
    if problems.messages:
        return problems.messages
    return Provider(data["provider"]["name"], teams, data["defaults"]["escalation"],
                    data["defaults"]["installation"], catalog, source, ticket_categories)


def contract_from_node(node: yaml.Node | None, source: str) -> Contract | list[str]:
    """One contract file on its own: a Contract, or its error lines."""
    problems = Problems(source)
    data, lines = _walk(node, CONTRACT, problems)
    if data is None:
        return problems.messages
    client = data["client"]
    if not client.get("slug") and not slugify(client["name"]):
        # A name of no letter a-z or digit (another script, only punctuation) would give the slug "": one
        # client for every such name, whose page is the hidden file clients/.html, and that no CLIENT names.
        problems.add(lines["client.name"], "client.name", f"'{shown(client['name'])}' has no letter a-z or digit "
                     "to make the client's slug of", "a client.slug such as dongfang-keji: lower case, digits, "
                     "single dashes")
    start = data.get("start", data["signed"])
    end = data.get("end")
    if end is not None and end < start:
        problems.add(lines["end"], "end", f"{end} is before start {start}", "an end on or after start")
    scope = []
    for i, entry in enumerate(data["scope"]):
        if entry["level"] == "n2" and "team" not in entry:
            problems.add(lines[f"scope[{i}]"], f"scope[{i}].team", "missing for a level n2 entry", "a team id")
        scope.append(ScopeEntry(entry["category"], entry["level"], entry.get("team"), tuple(entry.get("items", ()))))
    equipment = data.get("equipment", {})
    assets, seen = [], {}
    for i, item in enumerate(equipment.get("items", ())):
        folded = item["id"].casefold()
        if folded in seen:
            problems.add(lines[f"equipment.items[{i}].id"], f"equipment.items[{i}].id",
                         f"asset id '{item['id']}' already used at items[{seen[folded]}]", "unique asset ids")
        seen.setdefault(folded, i)
        assets.append(Asset(item["id"], item["category"], item.get("model", ""), item.get("acquired")))
    if problems.messages:
        return problems.messages
    out_of_scope = data.get("out_of_scope", {})
    return Contract(
        id=data["id"], client_name=client["name"], client_slug=client.get("slug") or slugify(client["name"]),
        aliases=tuple(client.get("aliases", ())), signed=data["signed"], start=start, end=end,
        services=tuple(data["services"]), remote_installation=data.get("remote_installation", False),
        scope=tuple(scope), policy=equipment.get("policy", "all"), equipment=tuple(assets),
        escalate_to=out_of_scope.get("escalate_to"), may_propose=tuple(out_of_scope.get("may_propose", ())),
        public_notes=data.get("public_notes", ""), internal_notes=data.get("internal_notes", ""),
        source=source, lang=client.get("lang"), lines={key: line for key, line in lines.items() if _CROSS_FILE_KEY.match(key)})


def assemble(provider: Provider, contracts: list[Contract]) -> KnowledgeBase:
    """Check what spans files and build the knowledge base; raises InputError with every problem."""
    problems = problems_across(provider, contracts)
    if problems:
        raise InputError([message for message, _ in problems])
    return build_knowledge_base(provider, contracts)


def problems_across(provider: Provider, contracts: list[Contract]) -> list[tuple[str, tuple[str, ...]]]:
    """What spans files: each problem as its error line and the files it concerns (sources). An unknown
    category or team concerns its file; an id used twice, or a name or alias naming two clients, concerns
    both files: either may be the one to fix. Leaving out every file concerned leaves none of these."""
    problems: list[tuple[str, tuple[str, ...]]] = []

    def err(contract: Contract, key: str, what: str, expected: str, *others: Contract) -> None:
        line = contract.lines.get(key, 1)
        problems.append((f"{contract.source}:{line}: {key}: {one_line(what)} (expected {expected})",
                         (contract.source, *(other.source for other in others))))

    teams, catalog = provider.teams, provider.catalog
    first_source: dict[str, Contract] = {}
    for contract in sorted(contracts, key=lambda c: c.source):
        if contract.id in first_source:
            first = first_source[contract.id]
            err(contract, "id", f"'{contract.id}' is also the id of {first.source}", "an id unique across contracts/",
                first)
        first_source.setdefault(contract.id, contract)
        for i, entry in enumerate(contract.scope):
            if entry.category not in catalog:
                err(contract, f"scope[{i}].category", f"unknown category '{entry.category}'",
                    "an id from the catalog: " + ", ".join(catalog))
            if entry.team is not None and entry.team not in teams:
                err(contract, f"scope[{i}].team", f"unknown team '{entry.team}'", "one of " + ", ".join(teams))
        for i, asset in enumerate(contract.equipment):
            if asset.category not in catalog:
                err(contract, f"equipment.items[{i}].category", f"unknown category '{asset.category}'",
                    "an id from the catalog: " + ", ".join(catalog))
        if contract.escalate_to is not None and contract.escalate_to not in teams:
            err(contract, "out_of_scope.escalate_to", f"unknown team '{contract.escalate_to}'",
                "one of " + ", ".join(teams))
    _client_names(tuple(sorted(contracts, key=lambda c: c.id)), err)
    languages: dict[str, Contract] = {}  # client slug -> its first contract (by id) that sets client.lang
    for contract in sorted(contracts, key=lambda c: c.id):
        first = languages.setdefault(contract.client_slug, contract) if contract.lang else None
        if first is not None and first.lang != contract.lang:
            err(contract, "client.lang", f"'{contract.lang}' differs from '{first.lang}' set by {first.source} for "
                "the same client", "one language per client", first)
    return problems


def build_knowledge_base(provider: Provider, contracts: list[Contract]) -> KnowledgeBase:
    """The knowledge base of contracts that problems_across finds nothing wrong with."""
    ordered = tuple(sorted(contracts, key=lambda c: c.id))
    names = _client_names(ordered, None)
    grouped: dict[str, list[Contract]] = {}
    for contract in ordered:
        grouped.setdefault(contract.client_slug, []).append(contract)
    clients = {}
    for slug, group in sorted(grouped.items(), key=lambda kv: (normal_form(kv[1][0].client_name), kv[0])):
        aliases = tuple(dict.fromkeys(a for c in group for a in c.aliases))
        clients[slug] = Client(slug, group[0].client_name, aliases, tuple(group))
    return KnowledgeBase(provider, clients, names)


def _client_names(contracts: tuple[Contract, ...], err) -> dict[str, str]:
    """Normal form of every name, alias and slug -> slug; a name naming two clients is an error (`err`)."""
    names: dict[str, str] = {}
    owner: dict[str, tuple[Contract, str]] = {}
    for contract in contracts:
        named = [("client.slug", contract.client_slug), ("client.name", contract.client_name)]
        named += [(f"client.aliases[{i}]", a) for i, a in enumerate(contract.aliases)]
        for key, text in named:
            norm = normal_form(text)
            if not norm:
                continue
            if norm in names and names[norm] != contract.client_slug:
                other, _ = owner[norm]
                if err is not None:
                    err(contract, key, f"'{text}' also names client '{names[norm]}' ({other.source})",
                        "names and aliases that name one client only", other)
                continue
            names[norm] = contract.client_slug
            owner.setdefault(norm, (contract, key))
    return names
