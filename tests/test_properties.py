"""Properties of the verdict on generated knowledge bases (hypothesis).

Providers and contracts are generated as model records, with a small shared
vocabulary so that keywords, labels, items and models overlap and collide the
way real ones do; requests mix known and unknown clients, assets and texts.
tests/browser/test_checker_generated.py loads `cases` from this file by its
path: keep the module importable on its own (scopekb and hypothesis only).
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scopekb.coverage.decide import Request, decide
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import (CATEGORY_KINDS, LEVELS, POLICIES, PROPOSALS, REQUEST_KINDS, Asset, Category, Contract,
                           KnowledgeBase, Provider, ScopeEntry, Team, normal_form, slugify)
from scopekb.kb.validate import assemble

VERDICTS = {"handle", "route", "out-of-scope", "no-contract", "ask"}
REASON_CODES = {"no-contract", "contract-inactive", "asset-unknown", "not-in-perimeter", "subject-unknown",
                "service-not-covered", "not-listed", "acquisition-date-unknown", "acquired-after-signature",
                "in-scope", "client-uncertain"}
JSON_KEYS = ["verdict", "client", "contract", "category", "team", "reasons", "actions", "question", "candidates"]

WORDS = ["laser", "printer", "pc", "pcx", "word", "excel", "server", "réseau", "Écran", "hp", "l'imprimante",
         "wifi", "Brother", "x1", "de"]
TEAM_IDS = ["n2-sys", "n2-apps", "onsite", "boss", "sales"]
CATEGORY_IDS = ["office", "printers", "network", "desks", "training"]
ASSET_IDS = ["PRN-1", "prn-2", "PC-1", "Srv-9"]
# Clients whose names, aliases and slugs never share a normal form.
CLIENTS = {"Alpha SA": ("ASA", "Alpha"), "Béta & Fils": ("BF", "Beta Fils Groupe"), "Gamma": ("GMA",)}
EPOCH = dt.date(2024, 1, 1)

phrases = st.builds(lambda words, sep: sep.join(words), st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
                    st.sampled_from([" ", "-", " / ", "_", ", "]))
dates = st.integers(0, 3 * 365).map(lambda n: EPOCH + dt.timedelta(days=n))


@st.composite
def providers(draw) -> Provider:
    team_ids = ["helpdesk"] + draw(st.lists(st.sampled_from(TEAM_IDS), unique=True, min_size=1))
    teams = {tid: Team(tid, f"Team {tid}") for tid in team_ids}
    catalog = {}
    for cid in draw(st.lists(st.sampled_from(CATEGORY_IDS), unique=True, min_size=1)):
        catalog[cid] = Category(cid, draw(phrases), draw(st.sampled_from(["hardware", *CATEGORY_KINDS])),
                                tuple(draw(st.lists(phrases, max_size=4))))
    return Provider("Provider", teams, draw(st.sampled_from(team_ids)), draw(st.sampled_from(team_ids)), catalog)


@st.composite
def contracts(draw, provider: Provider, index: int) -> Contract:
    name = draw(st.sampled_from(sorted(CLIENTS)))
    signed = draw(dates)
    start = draw(st.one_of(st.none(), dates))
    start = start or signed
    end = draw(st.one_of(st.none(), st.integers(0, 900).map(lambda n: start + dt.timedelta(days=n))))
    categories, team_ids = sorted(provider.catalog), sorted(provider.teams)
    scope = []
    for _ in range(draw(st.integers(0, 4))):
        level = draw(st.sampled_from(LEVELS))
        scope.append(ScopeEntry(draw(st.sampled_from(categories)), level,
                                draw(st.sampled_from(team_ids)) if level == "n2" else None,
                                tuple(draw(st.lists(phrases, max_size=2)))))
    assets = []
    for asset_id in draw(st.lists(st.sampled_from(ASSET_IDS), unique_by=str.casefold, max_size=3)):
        assets.append(Asset(asset_id, draw(st.sampled_from(categories)), draw(st.one_of(st.just(""), phrases)),
                            draw(st.one_of(st.none(), dates))))
    return Contract(
        id=f"CTR-{index}", client_name=name, client_slug=slugify(name),
        aliases=tuple(draw(st.lists(st.sampled_from(CLIENTS[name]), unique=True))), signed=signed, start=start,
        end=end, services=tuple(draw(st.lists(st.sampled_from(REQUEST_KINDS), unique=True, min_size=1))),
        remote_installation=draw(st.booleans()), scope=tuple(scope), policy=draw(st.sampled_from([*POLICIES, "acquired-before-signature"])),
        equipment=tuple(assets), escalate_to=draw(st.one_of(st.none(), st.sampled_from(team_ids))),
        may_propose=tuple(draw(st.lists(st.sampled_from(PROPOSALS), unique=True))),
        source=f"contracts/c{index}.yaml")


@st.composite
def knowledge_bases(draw) -> KnowledgeBase:
    provider = draw(providers())
    # ids drawn apart from file order, so that id order and file order differ
    indexes = draw(st.lists(st.integers(1, 99), unique=True, min_size=1, max_size=4))
    return assemble(provider, [draw(contracts(provider, i)) for i in indexes])


@st.composite
def cases(draw) -> tuple[KnowledgeBase, Request]:
    """A knowledge base and a request that, most of the time, reaches its contracts."""
    kb = draw(knowledge_bases())
    contract = draw(st.sampled_from(kb.contracts))
    if draw(st.integers(0, 9)) < 8:  # most requests name a client on a day one of its contracts is in force
        last = contract.end or contract.start + dt.timedelta(days=500)
        day = draw(st.integers(0, (last - contract.start).days).map(lambda n: contract.start + dt.timedelta(days=n)))
        client = draw(st.sampled_from([contract.client_name, contract.client_slug, *contract.aliases]))
    else:
        day = draw(dates)
        client = draw(st.one_of(st.sampled_from(["Unknown Co", *CLIENTS]), st.text(max_size=12)))
    client = draw(st.sampled_from([client, client.upper(), client.lower()]))
    known_texts = [t for c in kb.contracts for e in c.scope for t in e.items]
    known_texts += [a.model for c in kb.contracts for a in c.equipment if a.model]
    known_texts += [t for cat in kb.provider.catalog.values() for t in (cat.label, *cat.keywords)]
    item = asset = None
    subject = draw(st.sampled_from(["item", "item", "asset", "none"]))
    if subject == "item":
        item = draw(st.one_of(st.sampled_from(known_texts), st.sampled_from(known_texts), phrases, st.sampled_from(["", "  "]),
                              st.text(max_size=15)))
        if draw(st.booleans()):
            item = f"{draw(phrases)} {item}"
    elif subject == "asset":
        known_ids = [a.id for c in kb.contracts for a in c.equipment] or ["X-0"]
        asset = draw(st.sampled_from([*known_ids, "X-0", ""]))
        asset = draw(st.sampled_from([asset, asset.lower(), asset.upper()]))
    acquired = draw(st.one_of(st.none(), st.none(), dates,
                              st.sampled_from([contract.signed + dt.timedelta(days=d) for d in (-1, 0, 1)])))
    return kb, Request(client=client, date=day, kind=draw(st.sampled_from(REQUEST_KINDS)), item=item,
                       asset=asset, acquired=acquired)


def subject_given(req: Request) -> bool:
    return bool((req.item and req.item.strip()) or (req.asset and req.asset.strip()))


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases(), st.sampled_from(["fr", "en"]))
def test_decide_answers_one_of_five_verdicts_deterministically(case, lang):
    kb, req = case
    decision = decide(kb, req, lang)
    again = decide(kb, req, lang)
    assert decision == again
    out = decision.as_json()
    assert list(out) == JSON_KEYS
    assert out["verdict"] in VERDICTS
    assert out["reasons"] and all(list(r) == ["code", "text"] and r["code"] in REASON_CODES and r["text"]
                                  for r in out["reasons"])
    assert out["actions"] and all(isinstance(a, str) and a for a in out["actions"])
    assert (out["question"] is not None) == (out["verdict"] == "ask")
    client = kb.find_client(req.client)
    assert out["client"] == (client.slug if client else slugify(req.client))


@PROPERTY
@given(cases())
def test_team_follows_the_table(case):
    kb, req = case
    out = decide(kb, req).as_json()
    verdict, team = out["verdict"], out["team"]
    contract = next((c for c in kb.contracts if c.id == out["contract"]), None)
    if verdict == "no-contract":
        assert (team, out["contract"], out["category"]) == (kb.provider.escalation, None, None)
        return
    if out["reasons"][0]["code"] == "client-uncertain":  # step 1: no client named, so no contract either
        assert (team, out["contract"], out["category"], kb.find_client(req.client)) == (None, None, None, None)
        assert out["candidates"] and all(kb.clients[c["client"]].name == c["name"] for c in out["candidates"])
        return
    # every other verdict names a contract of this client, in force on the date
    assert contract is not None and contract.in_force(req.date)
    assert contract.client_slug == out["client"]
    if verdict == "handle":
        assert team == "helpdesk"
    elif verdict == "route":
        n2_teams = {e.team for e in contract.scope if e.category == out["category"] and e.level == "n2"}
        install = {kb.provider.installation} if req.kind == "installation" else set()
        assert team in n2_teams | install
    elif verdict == "out-of-scope":
        assert team == (contract.escalate_to or kb.provider.escalation)
    else:
        assert team is None


@PROPERTY
@given(cases())
def test_ask_only_when_a_fact_is_missing(case):
    kb, req = case
    out = decide(kb, req).as_json()
    if out["verdict"] != "ask":
        return
    code = out["reasons"][0]["code"]
    if code == "subject-unknown":
        assert not subject_given(req)
        return
    if code == "client-uncertain":
        assert kb.find_client(req.client) is None and out["candidates"]
        return
    assert code == "acquisition-date-unknown"
    contract = next(c for c in kb.contracts if c.id == out["contract"])
    assert req.acquired is None
    assert contract.policy == "acquired-before-signature"
    assert kb.provider.catalog[out["category"]].kind == "hardware"
    if req.asset:
        named = [a for a in contract.equipment if a.id.casefold() == req.asset.strip().casefold()]
        assert all(a.acquired is None for a in named)


@PROPERTY
@given(cases())
def test_with_every_fact_given_there_is_nothing_to_ask(case):
    kb, req = case
    client = kb.find_client(req.client)
    decision = decide(kb, req)
    if subject_given(req) and req.acquired is not None and client is not None:
        assert decision.verdict != "ask"
    if not subject_given(req) and client is not None and client.in_force(req.date):
        assert (decision.verdict, decision.reasons[0][0]) == ("ask", "subject-unknown")


def summary(decision) -> tuple:
    return decision.verdict, decision.contract, decision.category, decision.team, [c for c, _ in decision.reasons]


@PROPERTY
@given(cases(), st.sampled_from([str.upper, str.lower, lambda t: t.replace(" ", " -- "),
                                                       lambda t: f"«{t}»!"]))
def test_case_and_punctuation_of_the_text_do_not_matter(case, change):
    kb, req = case
    if not req.item or not normal_form(req.item):
        return
    changed = Request(req.client, req.date, req.kind, change(req.item), req.asset, req.acquired)
    assert summary(decide(kb, changed)) == summary(decide(kb, req))


@PROPERTY
@given(cases())
def test_any_name_of_a_client_gives_the_same_answer(case):
    kb, req = case
    for client in kb.clients.values():
        answers = {repr(decide(kb, Request(name, req.date, req.kind, req.item, req.asset, req.acquired)).as_json())
                   for name in (client.name, client.slug, *client.aliases)}
        assert len(answers) == 1


# --- The same records written as YAML and read back ----------------------------------------------

def provider_yaml(provider: Provider) -> dict:
    return {
        "provider": {"name": provider.name},
        "teams": {t.id: {"name": t.name} for t in provider.teams.values()},
        "defaults": {"escalation": provider.escalation, "installation": provider.installation},
        "catalog": {c.id: {"label": c.label, "kind": c.kind, "keywords": list(c.keywords)}
                    for c in provider.catalog.values()},
    }


def contract_yaml(c: Contract) -> dict:
    data = {"id": c.id, "client": {"name": c.client_name, "aliases": list(c.aliases)}, "signed": c.signed,
            "start": c.start, "services": list(c.services), "remote_installation": c.remote_installation,
            "scope": [], "equipment": {"policy": c.policy, "items": []},
            "out_of_scope": {"may_propose": list(c.may_propose)}}
    if c.end:
        data["end"] = c.end
    for e in c.scope:
        entry = {"category": e.category, "level": e.level, "items": list(e.items)}
        if e.team:
            entry["team"] = e.team
        data["scope"].append(entry)
    for a in c.equipment:
        asset = {"id": a.id, "category": a.category}
        if a.model:
            asset["model"] = a.model
        if a.acquired:
            asset["acquired"] = a.acquired
        data["equipment"]["items"].append(asset)
    if c.escalate_to:
        data["out_of_scope"]["escalate_to"] = c.escalate_to
    return data


def dump(data: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cases(), min_size=1, max_size=5))
def test_records_written_as_yaml_load_back_to_the_same_answers(some_cases):
    kb, reqs = some_cases[0][0], [req for _, req in some_cases]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        dump(provider_yaml(kb.provider), root / "contracts" / "provider.yaml")
        for contract in kb.contracts:
            dump(contract_yaml(contract), root / contract.source)
        loaded = load_knowledge_base(root)
        assert loaded.provider == kb.provider
        assert loaded.contracts == kb.contracts
        assert loaded.names == kb.names
        for req in reqs:
            assert decide(loaded, req).as_json() == decide(kb, req).as_json()
