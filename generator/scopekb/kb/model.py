"""The validated knowledge base: plain, immutable records.

Everything downstream (decide, render, the CLI) works on these records and
never on raw YAML. `validate` is the only place that builds them. They are
frozen but not slotted: `load` caches them with pickle, and slotted frozen
dataclasses unpickle through a slow Python-level __setstate__.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

REQUEST_KINDS = ("incident", "installation", "information", "change")
CATEGORY_KINDS = ("software", "hardware", "network", "service")
LEVELS = ("n1", "n2")
POLICIES = ("all", "listed", "acquired-before-signature")
PROPOSALS = ("extension", "billed-service", "new-contract")
AUDIENCES = ("internal", "public")  # who may read an article: technicians only, or clients too

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _strip_marks(run: re.Match) -> str:
    return "".join(c for c in run.group() if not unicodedata.category(c).startswith("M"))


@functools.lru_cache(maxsize=1 << 16)
def normal_form(text: str) -> str:
    """Lower case, accents stripped, runs of other than a-z0-9 made one space, trimmed.

    Cached: the pages of a client ask the verdict engine dozens of questions
    about the same names and items.
    """
    decomposed = unicodedata.normalize("NFD", text.lower())
    if not decomposed.isascii():
        # only non-ASCII characters can be marks; looking at those alone keeps loading fast
        decomposed = _NON_ASCII.sub(_strip_marks, decomposed)
    return _NOT_ALNUM.sub(" ", decomposed).strip()


def slugify(text: str) -> str:
    """The slug a client name gets when `client.slug` is not given."""
    return normal_form(text).replace(" ", "-")


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    phone: str = ""
    email: str = ""
    # true: never named on a client's site (kb schema TEAM). Whatever it says, a client's site gives the
    # phone and e-mail of the helpdesk alone: a client calls the helpdesk, which routes.
    internal: bool = False

    @property
    def phone_suffix(self) -> str:
        """' (phone)' when the team has one: what follows its name wherever a technician is to call it."""
        return f" ({self.phone})" if self.phone else ""

    @property
    def label(self) -> str:
        """The team as pages and the command show it: its name, then its phone if it has one."""
        return self.name + self.phone_suffix


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    kind: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provider:
    name: str
    teams: dict[str, Team]
    escalation: str
    installation: str
    catalog: dict[str, Category]
    source: str = "contracts/provider.yaml"
    # The ticketing tool's category paths ("Bureautique > Outlook") -> catalogue ids, for closed tickets.
    ticket_categories: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScopeEntry:
    category: str
    level: str
    team: str | None = None
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asset:
    id: str
    category: str
    model: str = ""
    acquired: dt.date | None = None


@dataclass(frozen=True)
class Contract:
    id: str
    client_name: str
    client_slug: str
    aliases: tuple[str, ...]
    signed: dt.date
    start: dt.date
    end: dt.date | None
    services: tuple[str, ...]
    remote_installation: bool
    scope: tuple[ScopeEntry, ...]
    policy: str
    equipment: tuple[Asset, ...]
    escalate_to: str | None
    may_propose: tuple[str, ...]
    public_notes: str = ""
    internal_notes: str = ""
    source: str = ""
    lang: str | None = None  # client.lang: the language of the client's site (None: the site's)
    # key path ("scope[0].category") -> line, for errors found across files
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def in_force(self, on: dt.date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)

    def status(self, on: dt.date, soon_days: int = 60) -> str:
        """in-force | expiring | expired | not-started, as shown in the overview."""
        if on < self.start:
            return "not-started"
        if self.end is not None and on > self.end:
            return "expired"
        if self.end is not None and (self.end - on).days <= soon_days:
            return "expiring"
        return "in-force"


@dataclass(frozen=True)
class Client:
    slug: str
    name: str
    aliases: tuple[str, ...]
    contracts: tuple[Contract, ...]  # ordered by id

    def in_force(self, on: dt.date) -> tuple[Contract, ...]:
        return tuple(c for c in self.contracts if c.in_force(on))

    @property
    def lang(self) -> str | None:
        """The language its contracts set with `client.lang` (validate makes them agree), else None."""
        return next((c.lang for c in self.contracts if c.lang), None)


@dataclass(frozen=True)
class Article:
    """A resolution article: a Markdown file under content/ and what its front matter says."""
    source: str  # root-relative path: content/articles/x.md
    title: str
    categories: tuple[str, ...]
    audience: str = "internal"
    level: str | None = None  # n1 or n2: who can apply it
    symptoms: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    scenario: str | None = None  # the id of the resolution scenario it documents

    @property
    def page(self) -> str:
        """Its path in the docs folder (content/), as MkDocs names it."""
        return self.source.split("/", 1)[1]


@dataclass(frozen=True)
class KnowledgeBase:
    provider: Provider
    clients: Mapping[str, Client]  # slug -> client, ordered by client name
    # normal form of every name, alias and slug -> client slug
    names: dict[str, str]
    articles: tuple[Article, ...] = ()  # in file order; loaded apart (kb.articles), `check` needs none
    # What the site shows of the closed tickets under content/tickets/ (tickets.facts.TicketFacts), attached
    # by the site's build; None when there are no exports, or for whatever else (`check`) needs none.
    tickets: object | None = None

    @property
    def contracts(self) -> tuple[Contract, ...]:
        """Every contract, ordered by id."""
        return tuple(sorted((c for client in self.clients.values() for c in client.contracts), key=lambda c: c.id))

    def find_client(self, text: str) -> Client | None:
        slug = self.names.get(normal_form(text))
        return self.clients.get(slug) if slug else None
