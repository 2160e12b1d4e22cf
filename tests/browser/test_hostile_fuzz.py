"""Generated knowledge bases full of hostile text (hypothesis): the checker of a client page decides like
`coverage.decide`, from the data as the page embeds it.

The client's part is taken from the page's own HTML (site.checker_data.checker_html: a `<script
type="application/json">`), parsed by Chromium's HTML parser, and the shared part run as the site's script
runs (`window.scopekbCheckerShared = ...`): texts with `</script>`, `<!--`, U+2028, quotes, decomposed
accents or astral characters must come through both unchanged, and the two engines must then give the same
answer, word for word, to requests that name those texts. How many examples: the hypothesis profile
(tests/conftest.py).
"""
from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from scopekb.coverage.decide import Request, decide
from scopekb.kb.model import (CATEGORY_KINDS, LEVELS, POLICIES, REQUEST_KINDS, Asset, Category, Contract, Provider,
                              ScopeEntry, Team, normal_form, slugify)
from scopekb.kb.validate import assemble
from scopekb.site.checker_data import checker_html, shared_script

from .combos import as_js

HOSTILE = ["</script>", "<script>alert(1)</script>", "<!--", "-->", "\u2028", "\u2029", "\u202e", "'", '"', "\\",
           "&amp;", "${x}", "`", "{{ 7*7 }}", "e\u0301", "\U0001f600", "ß", "İ", "\x00", "\ufeff", "]]>", "/*"]
WORDS = ["laser", "printer", "word", "excel", "server", "réseau", "Écran", "hp", "l'imprimante", "wifi", "x1"]
texts = st.lists(st.sampled_from(HOSTILE + WORDS), min_size=1, max_size=4).map(" ".join)
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=2).map(" ".join)
DAY0 = dt.date(2024, 1, 1)
dates = st.integers(0, 900).map(lambda n: DAY0 + dt.timedelta(days=n))
TEAM_IDS = ["helpdesk", "n2", "onsite", "boss"]
CATEGORY_IDS = ["office", "printers", "network"]


@st.composite
def knowledge_bases(draw):
    teams = {tid: Team(tid, draw(texts), draw(st.one_of(st.just(""), texts))) for tid in TEAM_IDS}
    catalog = {cid: Category(cid, f"{cid} {draw(texts)}", draw(st.sampled_from(["hardware", *CATEGORY_KINDS])),
                             tuple(draw(st.lists(st.one_of(words, texts), max_size=3))))
               for cid in CATEGORY_IDS}
    provider = Provider(draw(texts), teams, "boss", "onsite", catalog)
    contracts = []
    for index in draw(st.lists(st.integers(1, 9), min_size=1, max_size=3, unique=True)):
        name = f"Client {draw(st.sampled_from(['A', 'B']))} {draw(texts)}"
        if not slugify(name):
            continue
        scope = []
        for _ in range(draw(st.integers(0, 3))):
            level = draw(st.sampled_from(LEVELS))
            scope.append(ScopeEntry(draw(st.sampled_from(CATEGORY_IDS)), level, "n2" if level == "n2" else None,
                                    tuple(draw(st.lists(st.one_of(words, texts), max_size=2)))))
        ids = draw(st.lists(texts, max_size=3, unique_by=str.casefold))
        assets = tuple(Asset(i, draw(st.sampled_from(CATEGORY_IDS)), draw(st.one_of(st.just(""), texts)),
                             draw(st.one_of(st.none(), dates))) for i in ids)
        signed = draw(dates)
        contracts.append(Contract(
            id=f"CTR-{index} {draw(texts)}", client_name=name, client_slug=slugify(name),
            aliases=tuple(draw(st.lists(texts, max_size=2))), signed=signed, start=signed,
            end=draw(st.one_of(st.none(), st.just(signed + dt.timedelta(days=400)))),
            services=tuple(draw(st.lists(st.sampled_from(REQUEST_KINDS), min_size=1, unique=True))),
            remote_installation=draw(st.booleans()), scope=tuple(scope), policy=draw(st.sampled_from(POLICIES)),
            equipment=assets, escalate_to=draw(st.sampled_from([None, *TEAM_IDS])), may_propose=(),
            public_notes=draw(texts), source=f"contracts/c{index}.yaml"))
    try:
        kb = assemble(provider, contracts)
    except Exception:  # names shared by two clients: not valid data
        kb = None
    from hypothesis import assume
    assume(kb is not None and kb.clients)
    return kb


@st.composite
def cases(draw):
    kb = draw(knowledge_bases())
    client = draw(st.sampled_from(list(kb.clients.values())))
    known = [t for c in client.contracts for e in c.scope for t in e.items]
    known += [a.model for c in client.contracts for a in c.equipment if a.model]
    known += [t for cat in kb.provider.catalog.values() for t in (cat.label, *cat.keywords)]
    subject = draw(st.sampled_from(["item", "item", "asset", "none"]))
    item = asset = None
    if subject == "item":
        item = draw(st.one_of(st.sampled_from(known), texts))
        item = draw(st.sampled_from([item, item.upper(), unicodedata.normalize("NFD", item)]))
    elif subject == "asset":
        ids = [a.id for c in client.contracts for a in c.equipment] or ["X"]
        asset = draw(st.sampled_from(ids))
        asset = draw(st.sampled_from([asset, asset.upper(), asset.lower()]))
    name = draw(st.sampled_from([client.name, client.slug, *client.aliases]))
    request = Request(client=name, date=draw(dates), kind=draw(st.sampled_from(REQUEST_KINDS)), item=item,
                      asset=asset, acquired=draw(st.one_of(st.none(), dates)))
    return kb, client, request


FROM_THE_PAGE = """([html, shared, request]) => {
    const parsed = new DOMParser().parseFromString(html, "text/html");
    const client = JSON.parse(parsed.getElementById("scopekb-checker-data").textContent);
    const before = window.scopekbCheckerShared;
    (0, eval)(shared);
    const data = Object.assign({}, window.scopekbCheckerShared, client);
    window.scopekbCheckerShared = before;
    return {client: client, decision: window.scopekbDecide(data, request)};
}"""


@given(cases(), st.sampled_from(["fr", "en"]))
def test_the_page_embedded_checker_decides_like_python(checker_page, case, lang):
    kb, client, request = case
    got = checker_page.evaluate(FROM_THE_PAGE, [checker_html(kb, client), shared_script(kb, lang), as_js(request)])
    # the texts came through the page unchanged
    assert got["client"]["client"]["name"] == client.name
    assert [c["id"] for c in got["client"]["contracts"]] == [c.id for c in client.contracts]
    assert [a["id"] for c in got["client"]["contracts"] for a in c["equipment"]] == \
        [a.id for c in client.contracts for a in c.equipment]
    assert got["decision"] == decide(kb, request, lang).as_json()
    assert normal_form(client.name)  # (a client whose name has a slug)
