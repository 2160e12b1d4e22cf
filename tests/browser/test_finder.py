"""The home page's client finder: three letters, results as you type, Enter opens the client."""
from __future__ import annotations

from scopekb.model import normal_form

from .finder import INPUT, find, open_first

CHECKER = '#scopekb-checker[data-client]'


def test_finder_has_the_focus_on_load(site, page):
    page.goto(site.url)
    page.wait_for_selector(INPUT)
    assert page.evaluate("document.activeElement.id") == INPUT.lstrip("#")


def test_three_letters_of_each_client_then_enter(site, kb, page):
    for slug, client in kb.clients.items():
        letters = client.name[:3]
        results = find(page, site.url, letters)
        assert client.name in [r["name"] for r in results], (letters, results)
        # Every result answers the letters typed, ignoring case and accents.
        assert results[0]["href"] in site.client_pages.values()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == results[0]["href"]
        opened = page.get_attribute(CHECKER, "data-client")
        assert site.client_pages[opened] == results[0]["href"]


def test_accents_and_case_do_not_matter(site, kb, page):
    client = next(c for c in kb.clients.values() if normal_form(c.name[:3]) != c.name[:3].lower())
    plain = normal_form(client.name)[:3].upper()
    results = find(page, site.url, plain)
    assert client.name in [r["name"] for r in results], (plain, results)


def test_an_asset_id_finds_its_client(site, kb, page):
    slug, asset = next((s, a) for s, c in kb.clients.items() for ct in c.contracts for a in ct.equipment)
    results = open_first(page, site.url, asset.id.lower())
    assert page.get_attribute(CHECKER, "data-client") == slug, results
