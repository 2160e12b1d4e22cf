"""The in-browser checker agrees with `scopekb.decide` on every combination of the example data.

Each client page's embedded data is read back from the page, so what is
tested is what the site ships: the data written by embed.py and the code of
checker.js. All mismatches are reported at once.
"""
from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from scopekb.i18n import MESSAGES

from .combos import as_js, python_answers, requests
from .conftest import REPO

def js_decisions(page, js_requests: list[dict], messages: dict | None = None) -> list[dict]:
    """Answers of window.scopekbDecide for the page's own data, optionally in other words.

    Requests and answers cross as one JSON string each way: Playwright's
    per-value serialization would take longer than the decisions themselves.
    """
    answers = page.evaluate(
        """([requests, messages]) => {
            const data = JSON.parse(document.getElementById('scopekb-checker-data').textContent);
            if (messages) { data.messages = messages; }
            return JSON.stringify(JSON.parse(requests).map((r) => window.scopekbDecide(data, r)));
        }""",
        [json.dumps(js_requests), messages])
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


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_checker_agrees_with_python_on_every_combination(site, kb, page, lang):
    """French is the site's language; English swaps in the English table, on every
    fifth combination, so that every English sentence is compared too.

    Python's answers are computed in worker processes while Chromium works.
    """
    stride = 1 if lang == "fr" else 5
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        python = {slug: pool.submit(python_answers, str(REPO), slug, lang, stride) for slug in kb.clients}
        found: list[str] = []
        total = 0
        for slug, client in kb.clients.items():
            page.goto(site.client_pages[slug])
            reqs = requests(kb, client)[::stride]
            page_lang = page.evaluate(
                "JSON.parse(document.getElementById('scopekb-checker-data').textContent).lang")
            got = js_decisions(page, [as_js(r) for r in reqs], None if lang == page_lang else MESSAGES[lang])
            want = python[slug].result()
            total += len(reqs)
            found += mismatches(reqs, want, got)
    assert total > 0
    assert not found, report(found, total)
