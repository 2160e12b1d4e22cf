"""The in-browser checker agrees with `scopekb.decide` on every combination of the example data.

Each client page's data is read back from the page as the checker loads it
(the site's shared part and the page's own), so what is tested is what the
site ships: the data written by embed.py and the code of checker.js. All
mismatches are reported at once.
"""
from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from scopekb.site.checker_data import checker_data
from scopekb.kb.model import normal_form

from .checker_form import page_data
from .combos import as_js, python_answers, requests
from .conftest import REPO


def js_decisions(page, js_requests: list[dict]) -> list[dict]:
    """Answers of window.scopekbDecide for the page's own data.

    Requests and answers cross as one JSON string each way: Playwright's
    per-value serialization would take longer than the decisions themselves.
    """
    answers = page.evaluate(
        """(requests) => {
            const data = window.scopekbChecker.pageData();
            return JSON.stringify(JSON.parse(requests).map((r) => window.scopekbDecide(data, r)));
        }""",
        json.dumps(js_requests))
    return json.loads(answers)


def mismatches(reqs, python: list[dict], js: list[dict]) -> list[str]:
    found = []
    for req, want, got in zip(reqs, python, js):
        if want != got:
            found.append(f"{json.dumps(as_js(req), ensure_ascii=False)}\n"
                         f"    python: {json.dumps(want, ensure_ascii=False)}\n"
                         f"    js:     {json.dumps(got, ensure_ascii=False)}")
    return found


def report(found: list[str], total: int) -> str:
    shown = "\n".join(found[:40])
    more = f"\n... and {len(found) - 40} more" if len(found) > 40 else ""
    return f"{len(found)} of {total} answers differ:\n{shown}{more}"


def test_every_client_of_the_example_has_a_checker(site, kb):
    assert sorted(site.client_pages) == sorted(kb.clients)


# French is the repository's language: every combination. English, the other
# one: every fifth, which still brings up every sentence of the table.
@pytest.mark.parametrize("site_fixture, lang, stride", [("site", "fr", 1), ("site_en", "en", 5)])
def test_checker_agrees_with_python_on_every_combination(request, kb, page, site_fixture, lang, stride):
    site = request.getfixturevalue(site_fixture)
    spawn = multiprocessing.get_context("spawn")
    # Python's answers come from worker processes while Chromium works out its own.
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        python = {slug: pool.submit(python_answers, str(REPO), slug, lang, stride) for slug in kb.clients}
        found: list[str] = []
        total = 0
        for slug, client in kb.clients.items():
            page.goto(site.client_pages[slug])
            # What the page loads, shared part and its own merged, is what decide() reads.
            assert page_data(page) == json.loads(json.dumps(checker_data(kb, client, lang)))
            reqs = requests(kb, client)[::stride]
            got = js_decisions(page, [as_js(r) for r in reqs])
            total += len(reqs)
            found += mismatches(reqs, python[slug].result(), got)
    assert total > 0
    assert not found, report(found, total)


def test_normal_form_agrees_with_python(site, page):
    """Texts a caller may type: accents, ligatures, punctuation, other scripts, odd spaces."""
    texts = ["Cabinet Dupont & Associés", "l'imprimante Laser-Jet", "  ÉCRAN  ", "Œuvre cœur", "ﬁchier",
             "straße", "İstanbul", "Ångström", "naïve café", "ＰＣ－００１２", "Ελληνικά", "日本語 PC", "a\u00a0b",
             "e\u0301cran", "x\u200by", "\t\n", "", "---", "n°5", "½ tour", "Ⅻ", "ǅemal"]
    page.goto(site.url)
    got = page.evaluate("(texts) => texts.map(window.scopekbChecker.normalForm)", texts)
    want = [normal_form(t) for t in texts]
    assert got == want, [(t, w, g) for t, w, g in zip(texts, want, got) if w != g]


def test_a_name_that_may_mean_the_pages_client_is_asked_about(site, kb, page):
    """Spec v2, step 1: a name that is not exactly the client's but may mean it gets `ask`
    (client-uncertain) as from `scopekb check`, where the example has no other client it may mean."""
    from scopekb.coverage.decide import Request, decide
    from scopekb.coverage.match import may_mean

    texts = {"menuiserie-berard-fils": ["berrad", "Menuiserei", "bérard fils", "zzz", ""],
             "hotel-le-belvedere": ["hotl", "belvedre", "otel belv", "tel belv"],
             "editions-marchand-cie": ["marchnd", "editions", "Éditions Marchand"]}
    asked = 0
    for slug, names in texts.items():
        page.goto(site.client_pages[slug])
        lang = page_data(page)["lang"]
        for text in names:
            got = page.evaluate("(client) => window.scopekbDecide(window.scopekbChecker.pageData(), {client})", text)
            want = decide(kb, Request(client=text, date=dt.date.today()), lang).as_json()
            if kb.find_client(text) is None:
                assert [other for other, _ in may_mean(kb, text)] in ([], [slug])  # no other client here
            assert got == want, text
            asked += got["reasons"][0]["code"] == "client-uncertain"
    assert asked == 7  # berrad, Menuiserei, hotl, belvedre, otel belv, marchnd, editions
