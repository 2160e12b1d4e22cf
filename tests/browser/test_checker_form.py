"""The checker's real form, driven field by field, shows what `scopekb.decide` answers."""
from __future__ import annotations

import json

import pytest

from scopekb.site.checker_data import form_labels

from .checker_form import as_shown, asset_choices, ask_request, page_data, wait_for_checker
from .combos import expected, requests

PER_OUTCOME = 2  # form runs per client and (verdict, reason) found in the pool


def sample(kb, client, lang: str, choices: set[str]):
    """Requests the form can express, a few per outcome Python gives for this client.

    The pool is every 97th combination of the parity set (which compares them
    all through window.scopekbDecide); this test checks that the form passes
    each field through and shows the answer whole.
    """
    taken: dict[tuple[str, str], int] = {}
    for req in requests(kb, client)[::97]:
        if req.asset is not None and req.asset not in choices:
            continue  # the form offers only the client's own asset ids
        want = expected(kb, req, lang)
        outcome = (want["verdict"], want["reasons"][0]["code"])
        if taken.get(outcome, 0) < PER_OUTCOME:
            taken[outcome] = taken.get(outcome, 0) + 1
            yield req, want


@pytest.mark.parametrize("site_fixture", ["site", "site_en"])
def test_form_shows_python_answers_on_a_sample(request, kb, page, site_fixture):
    site = request.getfixturevalue(site_fixture)
    found: list[str] = []
    asked = 0
    verdicts: set[str] = set()
    for slug, client in kb.clients.items():
        page.goto(site.client_pages[slug])
        wait_for_checker(page)
        data = page_data(page)
        for req, want in sample(kb, client, data["lang"], set(asset_choices(page))):
            shown = ask_request(page, req)
            asked += 1
            verdicts.add(want["verdict"])
            if shown != as_shown(want, data):
                found.append(f"{slug} {req}\n    want: {json.dumps(as_shown(want, data), ensure_ascii=False)}"
                             f"\n    shown: {json.dumps(shown, ensure_ascii=False)}")
    assert not found, f"{len(found)} of {asked} answers differ:\n" + "\n".join(found[:20])
    # The sample must reach every verdict, or it proves little.
    assert verdicts == {"handle", "route", "out-of-scope", "no-contract", "ask"}, verdicts


def test_item_and_asset_exclude_each_other(site, kb, page):
    """Picking an asset clears the typed item and typing an item clears the asset."""
    slug = next(s for s, c in kb.clients.items() if any(ct.equipment for ct in c.contracts))
    page.goto(site.client_pages[slug])
    wait_for_checker(page)
    asset_id = asset_choices(page)[1]
    page.fill('#scopekb-checker input[name="item"]', "Excel")
    page.select_option('#scopekb-checker select[name="asset"]', asset_id)
    assert page.input_value('#scopekb-checker input[name="item"]') == ""
    page.fill('#scopekb-checker input[name="item"]', "Excel")
    assert page.input_value('#scopekb-checker select[name="asset"]') == ""


@pytest.mark.parametrize("site_fixture, lang", [("site", "fr"), ("site_en", "en")])
def test_form_speaks_the_site_language(request, kb, page, site_fixture, lang):
    site = request.getfixturevalue(site_fixture)
    page.goto(site.client_pages[next(iter(kb.clients))])
    wait_for_checker(page)
    labels = page.eval_on_selector_all("#scopekb-checker label", "ls => ls.map(l => l.textContent)")
    words = form_labels(lang)
    assert labels == [words["kind"], words["item"], words["asset"], words["date"], words["acquired"]]
    # Every field has its label, so that a screen reader names it.
    unnamed = page.eval_on_selector_all(
        "#scopekb-checker input, #scopekb-checker select",
        "cs => cs.filter(c => !c.labels || c.labels.length === 0).map(c => c.name)")
    assert unnamed == []


def test_answer_is_announced_briefly(site, kb, page):
    """A screen reader hears the verdict and what to say or whom to call, in a polite live region."""
    slug = "menuiserie-berard-fils" if "menuiserie-berard-fils" in kb.clients else next(iter(kb.clients))
    page.goto(site.client_pages[slug])
    wait_for_checker(page)
    data = page_data(page)
    page.fill('#scopekb-checker input[name="item"]', "imprimante laser")
    verdict = page.get_attribute("#scopekb-checker [data-scopekb-result]", "data-verdict")
    live = page.text_content('#scopekb-checker [role="status"]')
    assert live.startswith(data["messages"][f"verdict.{verdict}"])
    reason = page.text_content('#scopekb-checker [data-part="reasons"] li')
    assert live.endswith(reason)
