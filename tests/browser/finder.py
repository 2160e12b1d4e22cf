"""Use the home page's client finder as a technician does."""
from __future__ import annotations

INPUT = "#scopekb-finder-input"
RESULTS = "#scopekb-finder-results [role=option]"


STATUS = "#scopekb-finder-status"


def find(page, home_url: str, letters: str, may_find_none: bool = False) -> list[dict]:
    """Open the home page, type `letters` key by key, and return the results shown: each one's name,
    href, page (href without its fragment) and fragment ('#check', '#asset=ID' or '#item=MODEL')."""
    page.goto(home_url)
    page.wait_for_selector(INPUT)
    page.focus(INPUT)
    page.keyboard.type(letters)
    if may_find_none:  # the count, once the index is loaded, says the results are in
        page.wait_for_function("""() => document.getElementById('scopekb-finder').dataset.searched === 'true'""")
    else:
        page.wait_for_selector(RESULTS)
    return page.eval_on_selector_all(RESULTS, """os => os.map((o) => {
        const a = o.querySelector('a');
        return {name: a.textContent, href: a.href, page: a.href.split('#')[0], fragment: a.hash};
    })""")


def open_first(page, home_url: str, letters: str) -> list[dict]:
    """Type `letters`, press Enter, and wait for the first result's page."""
    results = find(page, home_url, letters)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return results
