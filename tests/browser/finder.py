"""Use the home page's client finder as a technician does."""
from __future__ import annotations

INPUT = "#scopekb-finder-input"
RESULTS = "#scopekb-finder-results [role=option]"


def find(page, home_url: str, letters: str) -> list[dict]:
    """Open the home page, type `letters` key by key, and return the results shown."""
    page.goto(home_url)
    page.wait_for_selector(INPUT)
    page.focus(INPUT)
    page.keyboard.type(letters)
    page.wait_for_selector(RESULTS)
    return page.eval_on_selector_all(
        RESULTS, "os => os.map(o => ({name: o.querySelector('a').textContent, href: o.querySelector('a').href}))")


def open_first(page, home_url: str, letters: str) -> list[dict]:
    """Type `letters`, press Enter, and wait for the first result's page."""
    results = find(page, home_url, letters)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return results
