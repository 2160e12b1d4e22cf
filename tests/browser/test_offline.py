"""The site works offline: no page of any type asks anything of a host other than the one serving it."""
from __future__ import annotations

from urllib.parse import urlsplit

SERVING_HOST = "127.0.0.1"


def record_requests(context) -> list[str]:
    """Every URL the pages of `context` ask for; requests to other hosts are refused on the spot."""
    seen: list[str] = []

    def handle(route):
        url = route.request.url
        seen.append(url)
        if urlsplit(url).hostname == SERVING_HOST:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", handle)
    context.on("request", lambda request: seen.append(request.url))
    return seen


def visit(page, url: str) -> None:
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.ok, f"{url}: {response.status if response else 'no response'}"


def search(page, site, word: str) -> list[str]:
    """The site's full-text search on the home page: the texts of the results for `word`."""
    visit(page, site.url)
    page.click("#scopekb-search-input")
    page.keyboard.type(word)
    page.wait_for_selector("#scopekb-search-results li")
    page.wait_for_load_state("networkidle")
    return page.eval_on_selector_all("#scopekb-search-results li", "items => items.map(i => i.textContent)")


def test_no_request_leaves_the_serving_host(site, kb, browser):
    context = browser.new_context()
    seen = record_requests(context)
    page = context.new_page()
    slug = next(iter(kb.clients))
    pages = [site.url, site.client_pages[slug], site.tree_url(slug), site.call_reception_url(),
             *site.article_urls()[:1]]
    for url in pages:
        visit(page, url)
    assert search(page, site, "imprimante"), "the search found nothing"
    context.close()
    web = [url for url in seen if urlsplit(url).scheme in ("http", "https", "ws", "wss")]
    assert any(url.endswith("search-index.js") for url in web), "the search index was never loaded"
    assert len({urlsplit(url).path for url in web}) >= len(pages), "too few requests seen to prove anything"
    elsewhere = sorted({url for url in web if urlsplit(url).hostname != SERVING_HOST})
    assert not elsewhere, "requests to other hosts:\n" + "\n".join(elsewhere)
    # Data and blob URLs stay in the page; anything else (a font or CDN scheme) is a leak too.
    assert all(urlsplit(url).scheme in ("http", "https", "ws", "wss", "data", "blob") for url in seen), seen
