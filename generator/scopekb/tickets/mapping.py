"""From a ticket's words to the knowledge base: its catalogue category and its client.

This is the only module of the ticket pipeline that imports from the rest of
scopekb (`model` and `decide`): the integrator rewrites those imports here,
once, when the package is restructured.

A ticket's category is mapped the way `scopekb check` maps a request's item
(the catalogue's labels and keywords, longest match wins), unless the caller
gives an explicit mapping of the tool's category paths (`provider.yaml`'s
`ticket_categories`). Its client is mapped by exact name, alias or slug, then
by the spec's "may mean" rule when that names exactly one client. A ticket
that cannot be mapped is kept, with the reason.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scopekb.coverage.match import catalog_matcher, may_mean  # noqa: F401  (the decide imports of the pipeline)
from scopekb.kb.model import KnowledgeBase, normal_form, slugify  # noqa: F401  (the model imports of the pipeline)

from .records import Ticket

# What the other stages take from the rest of scopekb, through this module only.
__all__ = ["KnowledgeBase", "Mapped", "TicketMapper", "catalog_matcher", "may_mean", "normal_form", "path_key",
           "slugify"]

# Why a ticket is not mapped: the keys of MiningResult.unmapped.
UNKNOWN_CLIENT = "unknown-client"  # a client is named, but no contract's client matches
AMBIGUOUS_CLIENT = "ambiguous-client"  # the name may mean several clients
NO_CLIENT = "no-client"  # the export names no client
UNKNOWN_CATEGORY = "unknown-category"  # neither the category path nor the title matches the catalogue
PATH_SEPARATOR = " > "


@dataclass(frozen=True)
class Mapped:
    """Where one ticket lands: a category id or None, a client slug or None, and how."""
    category: str | None
    client: str | None
    category_by: str  # override | category | title | none
    client_by: str  # name | may-mean | none
    reasons: tuple[str, ...]  # empty when both were mapped


def path_key(segments: tuple[str, ...] | str) -> str:
    """A category path in one comparable form: segments in normal form joined by ` > `."""
    if isinstance(segments, str):
        segments = tuple(segments.split(">"))
    return PATH_SEPARATOR.join(f for f in (normal_form(s) for s in segments) if f)


class TicketMapper:
    """Maps tickets of one knowledge base; remembers each distinct client text and category path."""

    def __init__(self, kb: KnowledgeBase, overrides: Mapping[str, str] | None = None, use_title: bool = True):
        self.kb = kb
        self.matcher = catalog_matcher(kb)
        self.use_title = use_title
        # Keys in path_key form; a key is also a prefix: `Bureautique` maps `Bureautique > Outlook`
        # unless a longer key says otherwise.
        self.overrides = {path_key(path): category for path, category in (overrides or {}).items()}
        self._clients: dict[str, tuple[str | None, str, str | None]] = {}
        self._paths: dict[tuple[str, ...], tuple[str | None, str]] = {}

    def override_problems(self, source: str = "contracts/provider.yaml") -> list[str]:
        """One line per override naming a category the catalogue does not have."""
        known = self.kb.provider.catalog
        return [f"{source}:1: ticket_categories: '{path}' maps to unknown category '{category}' "
                f"(expected one of {', '.join(sorted(known))})"
                for path, category in sorted(self.overrides.items()) if category not in known]

    def category_of_path(self, segments: tuple[str, ...]) -> tuple[str | None, str]:
        """The category a tool's category path maps to, and how: override, else the catalogue's
        words in the segments from the most specific one up."""
        if segments not in self._paths:
            self._paths[segments] = self._category_of_path(segments)
        return self._paths[segments]

    def _category_of_path(self, segments: tuple[str, ...]) -> tuple[str | None, str]:
        forms = [normal_form(s) for s in segments]
        for end in range(len(forms), 0, -1):
            found = self.overrides.get(PATH_SEPARATOR.join(f for f in forms[:end] if f))
            if found in self.kb.provider.catalog:
                return found, "override"
        for form in reversed(forms):
            match = self.matcher.best(tuple(form.split(" "))) if form else None
            if match is not None:
                return match.category, "category"
        return None, "none"

    def category(self, ticket: Ticket) -> tuple[str | None, str]:
        found, how = self.category_of_path(ticket.category)
        if found is None and self.use_title:
            # No category, or one the catalogue does not know: the caller's words may name the thing.
            match = self.matcher.best(tuple(normal_form(ticket.title).split(" ")))
            if match is not None:
                return match.category, "title"
        return found, how

    def client(self, text: str) -> tuple[str | None, str, str | None]:
        """(slug or None, how, reason if unmapped) for a client as the export names it."""
        if text not in self._clients:
            self._clients[text] = self._client(text)
        return self._clients[text]

    def _client(self, text: str) -> tuple[str | None, str, str | None]:
        if not normal_form(text):
            return None, "none", NO_CLIENT
        found = self.kb.find_client(text)
        if found is not None:
            return found.slug, "name", None
        candidates = may_mean(self.kb, text, limit=2)
        if len(candidates) == 1:
            return candidates[0][0], "may-mean", None
        return None, "none", AMBIGUOUS_CLIENT if candidates else UNKNOWN_CLIENT

    def map(self, ticket: Ticket) -> Mapped:
        category, category_by = self.category(ticket)
        client, client_by, client_reason = self.client(ticket.client)
        reasons = tuple(r for r in (client_reason, None if category else UNKNOWN_CATEGORY) if r)
        return Mapped(category, client, category_by, client_by, reasons)
