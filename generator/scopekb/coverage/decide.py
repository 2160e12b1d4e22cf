"""The coverage verdict: steps 1 to 7 of the spec (shared/spec/coverage.md).

Pure: no I/O, no MkDocs. Given a knowledge base and a request, `decide`
returns a `Decision`; the browser checker (site_templates/assets/checker.js)
is a line-by-line port of this module and is tested against it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scopekb.words import message
from scopekb.coverage.match import best_match, find_asset, may_mean, per_provider
from scopekb.kb.model import Asset, Client, Contract, KnowledgeBase, ScopeEntry, normal_form, slugify


@dataclass(frozen=True, slots=True)
class Request:
    client: str
    date: dt.date
    kind: str = "incident"
    item: str | None = None
    asset: str | None = None
    acquired: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: str  # handle | route | out-of-scope | no-contract | ask
    client: str
    contract: str | None
    category: str | None
    team: str | None
    reasons: tuple[tuple[str, str], ...]  # (code, text)
    actions: tuple[str, ...]
    question: str | None = None
    candidates: tuple[tuple[str, str], ...] = ()  # (slug, name) of the clients CLIENT may mean

    def as_json(self) -> dict:
        """The object `scopekb check --json` prints, keys as the spec orders them."""
        return {
            "verdict": self.verdict,
            "client": self.client,
            "contract": self.contract,
            "category": self.category,
            "team": self.team,
            "reasons": [{"code": code, "text": text} for code, text in self.reasons],
            "actions": list(self.actions),
            "question": self.question,
            "candidates": [{"client": slug, "name": name} for slug, name in self.candidates],
        }


@dataclass(frozen=True, slots=True)
class Subject:
    category: str
    asset: Asset | None
    item: str | None = None  # normal form of the scope item that matched, if one did


def pick_entry(contract: Contract, category: str, matched_item: str | None) -> ScopeEntry | None:
    """Of this contract's entries for `category`, the one whose item matched, else the first.

    An entry's item matched when it is the scope item step 3 matched (same
    normal form): a keyword, label or model that won names no entry.
    """
    entries = [e for e in contract.scope if e.category == category]
    if matched_item is not None:
        for entry in entries:
            if any(normal_form(item) == matched_item for item in entry.items):
                return entry
    return entries[0] if entries else None


class _Phrases:
    """The sentences of decisions that depend on the provider and the language alone, each made once:
    a decision tree asks for the same few actions hundreds of times."""

    def __init__(self, provider, lang: str):
        self.provider, self.lang = provider, lang
        self.made: dict[tuple[str, str | None], str] = {}

    def action(self, key: str, team_id: str | None = None) -> str:
        """The sentence `key`, its {team} and {phone} those of `team_id`, if given."""
        found = self.made.get((key, team_id))
        if found is None:
            fields = {}
            if team_id is not None:
                team = self.provider.teams[team_id]
                fields = {"team": team.name, "phone": team.phone_suffix}
            found = self.made[(key, team_id)] = message(self.lang, key, **fields)
        return found


def phrases(kb: KnowledgeBase, lang: str) -> _Phrases:
    return per_provider(kb.provider, f"phrases {lang}", lambda: _Phrases(kb.provider, lang))


class _Say:
    """Builds decisions in one language for one client (the request's kind is given where it counts)."""

    def __init__(self, kb: KnowledgeBase, lang: str, slug: str, client_name: str):
        self.kb, self.lang, self.slug, self.client_name = kb, lang, slug, client_name
        self.phrases = phrases(kb, lang)

    def text(self, key: str, **fields: object) -> str:
        return message(self.lang, key, **fields)

    def label(self, category: str) -> str:
        return self.kb.provider.catalog[category].label

    def no_contract(self, code: str, **fields: object) -> Decision:
        team, action = self.kb.provider.escalation, self.phrases.action
        actions = (action("action.record"), action("action.follow-up"), action("action.escalate", team))
        return Decision("no-contract", self.slug, None, None, team,
                        ((code, self.text(f"reason.{code}", **fields)),), actions)

    def out_of_scope(self, contract: Contract, category_id: str | None, code: str, key: str | None = None,
                     **fields: object) -> Decision:
        # `fields` fill the reason's sentence, which may itself have a {category} (the label)
        team, action = contract.escalate_to or self.kb.provider.escalation, self.phrases.action
        actions = [action("action.record"), action("action.follow-up"), action("action.escalate", team)]
        actions += [action(f"action.propose.{p}") for p in contract.may_propose]
        if not contract.may_propose:
            actions.append(action("action.propose.none", team))
        reason = (code, self.text(f"reason.{key or code}", contract=contract.id, **fields))
        return Decision("out-of-scope", self.slug, contract.id, category_id, team, (reason,), tuple(actions))

    def ask(self, contract: Contract, category: str | None, code: str, question_key: str, **fields) -> Decision:
        question = self.text(question_key, **fields)
        reason = (code, self.text(f"reason.{code}", contract=contract.id, **fields))
        action = self.phrases.action
        actions = (action("action.record"), self.text("action.ask", question=question), action("action.recheck"))
        return Decision("ask", self.slug, contract.id, category, None, (reason,), actions, question)

    def uncertain_client(self, named: str, candidates: list[tuple[str, str]]) -> Decision:
        names = self.text("word.list-sep").join(self.text("question.client-candidate", name=name, slug=slug)
                                          for slug, name in candidates)
        question = self.text("question.client", candidates=names)
        reason = ("client-uncertain", self.text("reason.client-uncertain", client=named))
        action = self.phrases.action
        actions = (action("action.record"), self.text("action.ask", question=question), action("action.recheck"))
        return Decision("ask", self.slug, None, None, None, (reason,), actions, question, tuple(candidates))

    def covered(self, contract: Contract, entry: ScopeEntry, kind: str) -> Decision:
        provider = self.kb.provider
        installing = kind == "installation"
        if entry.level == "n2":
            verdict, team, actions = "route", entry.team, ["action.route"]
        elif installing and not contract.remote_installation:
            verdict, team, actions = "route", provider.installation, ["action.route-install"]
        elif installing:
            verdict, team, actions = "handle", "helpdesk", ["action.install-by-phone"]
        else:
            verdict, team, actions = "handle", "helpdesk", ["action.diagnose"]
        texts = (self.phrases.action("action.record"),) + tuple(self.phrases.action(k, team) for k in actions)
        reason = ("in-scope", self.text("reason.in-scope", category=self.label(entry.category),
                                        contract=contract.id, level=entry.level.upper()))
        return Decision(verdict, self.slug, contract.id, entry.category, team, (reason,), texts)


@dataclass(frozen=True, slots=True)
class Found:
    """What steps 1 to 3 found, when they decided nothing: the client's contracts in force and what the
    request is about. It does not depend on the request's kind or acquisition date."""
    say: _Say
    active: tuple[Contract, ...]
    subject: Subject


def decide(kb: KnowledgeBase, req: Request, lang: str = "fr") -> Decision:
    """The verdict for `req`, in the order of the spec: the first step that decides wins."""
    found = steps_1_to_3(kb, req, lang)
    return found if isinstance(found, Decision) else steps_4_to_7(found, req)


def steps_1_to_3(kb: KnowledgeBase, req: Request, lang: str) -> Decision | Found:
    """The decision of steps 1 to 3, or what they found for the next steps (a decision tree asks the next
    steps about the same subject for each kind: it finds the subject once)."""
    client: Client | None = kb.find_client(req.client)
    # Step 1: no contract names this client.
    if client is None:
        say = _Say(kb, lang, slugify(req.client), req.client)
        candidates = may_mean(kb, req.client)
        if candidates:
            return say.uncertain_client(req.client, candidates)
        return say.no_contract("no-contract", client=req.client)
    say = _Say(kb, lang, client.slug, client.name)
    # Step 2: none of its contracts is in force on the date.
    active = client.in_force(req.date)
    if not active:
        return say.no_contract("contract-inactive", client=client.name, date=req.date.isoformat())
    # Step 3: what the request is about, reported against the first contract in force.
    first = active[0]
    if req.asset and req.asset.strip():
        asset = find_asset(active, req.asset.strip())
        if asset is None:
            return say.out_of_scope(first, None, "asset-unknown", asset=req.asset.strip(), client=client.name)
        return Found(say, active, Subject(asset.category, asset))
    if req.item and req.item.strip():
        match = best_match(kb, active, req.item)
        if match is None:
            return say.out_of_scope(first, None, "not-in-perimeter", "no-match", text=req.item.strip())
        return Found(say, active, Subject(match.category, match.asset, " ".join(match.words) if match.scope_item else None))
    return say.ask(first, None, "subject-unknown", "question.subject")


def steps_4_to_7(found: Found, req: Request) -> Decision:
    """Steps 4 to 7 for each contract in force, in id order: the first that covers the request wins, else
    the first that asks, else the first contract's outcome."""
    outcomes = [_steps_4_to_7(found.say, contract, found.subject, req) for contract in found.active]
    for wanted in (("handle", "route"), ("ask",)):
        for outcome in outcomes:
            if outcome.verdict in wanted:
                return outcome
    return outcomes[0]


def _steps_4_to_7(say: _Say, contract: Contract, subject: Subject, req: Request) -> Decision:
    kb, category = say.kb, subject.category
    entry = pick_entry(contract, category, subject.item)
    if entry is None:
        return say.out_of_scope(contract, category, "not-in-perimeter", category=say.label(category))
    if req.kind not in contract.services:
        return say.out_of_scope(contract, category, "service-not-covered", kind=say.text(f"kind.{req.kind}"))
    if kb.provider.catalog[category].kind == "hardware":
        own = find_asset((contract,), subject.asset.id) if subject.asset else None
        if contract.policy == "listed" and own is None:
            return say.out_of_scope(contract, category, "not-listed")
        if contract.policy == "acquired-before-signature":
            asset = own or subject.asset
            acquired = (asset.acquired if asset else None) or req.acquired
            if acquired is None:
                return say.ask(contract, category, "acquisition-date-unknown", "question.acquired",
                               signed=contract.signed.isoformat())
            if acquired > contract.signed:
                return say.out_of_scope(contract, category, "acquired-after-signature",
                                        acquired=acquired.isoformat(), signed=contract.signed.isoformat())
    return say.covered(contract, entry, req.kind)

