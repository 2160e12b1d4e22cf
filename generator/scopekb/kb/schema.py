"""The file formats as typed schemas, one docstring per field.

`validate` checks YAML nodes against these declarations and `scopekb schema`
prints them as JSON Schema, so the editor's completion, the validator and the
documentation can never disagree.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scopekb.words import LANGUAGES
from scopekb.kb.model import AUDIENCES, CATEGORY_KINDS, LEVELS, POLICIES, PROPOSALS, REQUEST_KINDS

# The limits of the formats (docs/coverage.md, "Limits"): far above any real file, they keep a mistake or an
# alias bomb from taking the time and memory of every load and page. A contract of 100,000 assets of four
# keys each is about 10 MB and 900,000 values: it passes.
MAX_FILE_BYTES = 16 * 1024 * 1024  # a larger file is refused before it is parsed
MAX_VALUES = 2_000_000  # YAML values (keys, texts, lists, mappings), an alias counted as what it stands for
MAX_REPEATED_VALUES = 100_000  # values reached again through aliases of lists and mappings
MAX_DEPTH = 100  # lists and mappings inside each other; a contract needs 4 (equipment.items[0].id)
MAX_TEXT_CHARS = 1_000  # a name, id, item, model, label, keyword, phone...
MAX_NOTES_CHARS = 64 * 1024  # public_notes and internal_notes


class Type:
    expected = "a value"

    def json_schema(self) -> dict:
        raise NotImplementedError


@dataclass(frozen=True)
class Str(Type):
    max_chars: int = MAX_TEXT_CHARS
    expected = "a string"

    def json_schema(self) -> dict:
        return {"type": "string", "minLength": 1, "maxLength": self.max_chars}


class Date(Type):
    expected = "a date YYYY-MM-DD"

    def json_schema(self) -> dict:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


class Bool(Type):
    expected = "true or false"

    def json_schema(self) -> dict:
        return {"type": "boolean"}


@dataclass(frozen=True)
class OneOf(Type):
    values: tuple[str, ...]

    @property
    def expected(self) -> str:
        return "one of " + ", ".join(self.values)

    def json_schema(self) -> dict:
        return {"enum": list(self.values)}


@dataclass(frozen=True)
class Pattern(Type):
    regex: str
    expected: str = "a string"
    max_chars: int = MAX_TEXT_CHARS

    def json_schema(self) -> dict:
        return {"type": "string", "pattern": self.regex, "maxLength": self.max_chars}


@dataclass(frozen=True)
class ListOf(Type):
    item: Type
    non_empty: bool = False

    @property
    def expected(self) -> str:
        return ("a non-empty " if self.non_empty else "a ") + "list of " + _plain(self.item.expected)

    def json_schema(self) -> dict:
        schema = {"type": "array", "items": self.item.json_schema()}
        if self.non_empty:
            schema["minItems"] = 1
        return schema


@dataclass(frozen=True)
class Field:
    key: str
    type: Type
    doc: str
    required: bool = False


@dataclass(frozen=True)
class Record(Type):
    fields: tuple[Field, ...]

    @property
    def expected(self) -> str:
        return "a mapping with keys " + ", ".join(f.key for f in self.fields)

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    def json_schema(self) -> dict:
        props = {}
        for f in self.fields:
            props[f.key] = dict(f.type.json_schema(), description=f.doc)
        schema = {"type": "object", "properties": props, "additionalProperties": False}
        required = [f.key for f in self.fields if f.required]
        if required:
            schema["required"] = required
        return schema


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping whose keys are chosen by the maintainer: ids (teams, categories), or any text
    (`key_regex` and `key_expected` say which), to values of one type."""
    value: Type
    key_regex: str = r"^[a-z0-9][a-z0-9-]*$"
    key_noun: str = "an id"
    key_expected: str = "lower case, digits and dashes"
    what: str = "a mapping of ids (lower case, digits, dashes) to entries"

    @property
    def expected(self) -> str:
        return self.what

    def json_schema(self) -> dict:
        return {"type": "object", "propertyNames": {"pattern": self.key_regex},
                "additionalProperties": self.value.json_schema(), "minProperties": 1}


def _plain(expected: str) -> str:
    """The plural that follows 'a list of': 'a mapping with keys x' -> 'mappings with keys x'."""
    if not expected.startswith("a "):
        return expected
    if expected.endswith(" id"):  # 'a category id' -> 'category ids'
        return expected[2:] + "s"
    noun, _, rest = expected[2:].partition(" ")
    return f"{noun}s {rest}".rstrip()


ID_REGEX = r"^[a-z0-9][a-z0-9-]*$"

TEAM = Record((
    Field("name", Str(), "Name the technician reads, e.g. 'Support N2 systèmes et réseaux'.", required=True),
    Field("phone", Str(), "Phone number given when a call is routed to this team."),
    Field("email", Str(), "E-mail address of the team."),
    Field("internal", Bool(), "true: the team is never named on a client's site (clients read 'the team in "
          "charge'). Defaults to false. Client sites give the helpdesk's phone and e-mail only, never another "
          "team's: clients call the helpdesk, which routes. The helpdesk cannot be internal."),
))

CATEGORY = Record((
    Field("label", Str(), "Name of the category as shown to technicians and clients; also matched against requests.",
          required=True),
    Field("kind", OneOf(CATEGORY_KINDS), "software, hardware, network or service; hardware is subject to the "
          "contract's equipment policy.", required=True),
    Field("keywords", ListOf(Str()), "Words that name this category in a request; list plural forms explicitly."),
))

PROVIDER = Record((
    Field("provider", Record((
        Field("name", Str(), "The provider's company name.", required=True),
    )), "The IT services provider that signs the contracts.", required=True),
    Field("teams", MapOf(TEAM), "Teams by id; a team with id 'helpdesk' is required.", required=True),
    Field("defaults", Record((
        Field("escalation", Pattern(ID_REGEX, "a team id"), "Team that gets out-of-scope and no-contract calls.",
              required=True),
        Field("installation", Pattern(ID_REGEX, "a team id"), "Team that does installations not done by phone.",
              required=True),
    )), "Teams used when a contract does not name one.", required=True),
    Field("catalog", MapOf(CATEGORY), "The service catalogue: categories by id, in tie-break order.",
          required=True),
    Field("ticket_categories", MapOf(Pattern(ID_REGEX, "a category id"), key_regex=r"\S", key_noun="a category path",
                                     key_expected="a category path of the ticketing tool, such as 'Matériel > "
                                                  "Imprimante'",
                                     what="a mapping of the ticketing tool's category paths to category ids"),
          "Closed tickets (content/tickets/): the ticketing tool's category paths, e.g. 'Bureautique > Outlook', "
          "mapped to catalogue ids; a path also maps the paths below it unless a longer one says otherwise."),
))

SCOPE_ENTRY = Record((
    Field("category", Pattern(ID_REGEX, "a category id"), "An id from the provider's catalog.", required=True),
    Field("level", OneOf(LEVELS), "n1: the helpdesk resolves; n2: route to `team`.", required=True),
    Field("team", Pattern(ID_REGEX, "a team id"), "Team that n2 requests are routed to (required for n2)."),
    Field("items", ListOf(Str()), "Software or hardware listed in the contract; shown and matched."),
))

ASSET = Record((
    Field("id", Str(), "Asset id, unique within the contract (compared ignoring case).", required=True),
    Field("category", Pattern(ID_REGEX, "a category id"), "An id from the provider's catalog.", required=True),
    Field("model", Str(), "Make and model; a request naming it stands for this asset."),
    Field("acquired", Date(), "Acquisition date, used by the acquired-before-signature policy."),
))

CONTRACT = Record((
    Field("id", Str(), "Contract id, unique across contracts/.", required=True),
    Field("client", Record((
        Field("name", Str(), "The client company's name.", required=True),
        Field("aliases", ListOf(Str()), "Other names the client is known by: acronyms, former names."),
        Field("slug", Pattern(r"^[a-z0-9]+(-[a-z0-9]+)*$", "a slug (lower case, digits, single dashes)"),
              "Identifier of the client in URLs; defaults to the name's normal form with dashes."),
        Field("lang", OneOf(LANGUAGES), "Language of the client's own site (site/clients/SLUG/): fr or en; "
              "defaults to the language of the technicians' site. The contracts of one client set the same."),
    )), "The client company.", required=True),
    Field("signed", Date(), "Signature date.", required=True),
    Field("start", Date(), "First day in force, inclusive; defaults to `signed`."),
    Field("end", Date(), "Last day in force, inclusive; absent means open-ended."),
    Field("services", ListOf(OneOf(REQUEST_KINDS), non_empty=True), "Request kinds covered.", required=True),
    Field("remote_installation", Bool(), "May the helpdesk install by phone? Defaults to false."),
    Field("scope", ListOf(SCOPE_ENTRY), "The perimeter: one entry per category.", required=True),
    Field("equipment", Record((
        Field("policy", OneOf(POLICIES), "Which hardware is covered: all (default), listed, "
              "acquired-before-signature."),
        Field("items", ListOf(ASSET), "The client's equipment known to the contract."),
    )), "The client's equipment and the hardware policy."),
    Field("out_of_scope", Record((
        Field("escalate_to", Pattern(ID_REGEX, "a team id"), "Team for out-of-scope calls; defaults to "
              "defaults.escalation."),
        Field("may_propose", ListOf(OneOf(PROPOSALS)), "What the technician may offer: extension, "
              "billed-service, new-contract."),
    )), "What happens to requests outside the perimeter."),
    Field("public_notes", Str(MAX_NOTES_CHARS), "Text shown to the client."),
    Field("internal_notes", Str(MAX_NOTES_CHARS), "Text for technicians only; never shown to the client."),
))


ARTICLE = Record((
    Field("title", Str(), "The article's title, unique across articles; also its page's title.", required=True),
    Field("categories", ListOf(Pattern(ID_REGEX, "a category id"), non_empty=True),
          "Ids from the provider's catalog: the article shows on their pages and their clients' pages.",
          required=True),
    Field("audience", OneOf(AUDIENCES), "internal (default): technicians only; public: may be shown to clients."),
    Field("level", OneOf(LEVELS), "Who can apply it: n1 (the helpdesk) or n2."),
    Field("symptoms", ListOf(Str()), "The words callers use for the problem; found by the search."),
    Field("products", ListOf(Str()), "Models or software it applies to."),
    Field("scenario", Pattern(ID_REGEX, "a scenario id"), "The id of the resolution scenario it documents."),
    Field("description", Str(), "A one-line summary, for the page's metadata."),
    Field("hide", ListOf(Str()), "Parts of the page the theme hides (navigation, toc), as Material reads it."),
))

KINDS = {"provider": (PROVIDER, "scopekb provider file"), "contract": (CONTRACT, "scopekb contract file"),
         "article": (ARTICLE, "scopekb article front matter")}


def json_schema(kind: str) -> dict:
    """The JSON Schema of 'provider' or 'contract' files, or of an article's front matter."""
    record, title = KINDS[kind]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **record.json_schema()}


def dump_schema(kind: str) -> str:
    """The JSON Schema of `kind` as the text of a .schema.json file."""
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write provider.schema.json, contract.schema.json and article.schema.json, the files editors point to."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        path = folder / f"{kind}.schema.json"
        path.write_text(dump_schema(kind), encoding="utf-8")
        written.append(path)
    return written
