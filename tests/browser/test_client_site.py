"""A client's site in Chromium, opened from the disk (file://), as a client who received its archive:
its search finds its pages and opens them, its guide is reached, nothing is asked of any host, and on
paper it has no navigation."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from scopekb.publish.client_sites import Options, build_client_sites

REPO = Path(__file__).resolve().parents[2]
SLUG = "menuiserie-berard-fils"
INPUT = "#scopekb-search-input"
RESULTS = "#scopekb-search-results .scopekb-search__result"


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    """The client's zip, built from the repository's example data and unpacked elsewhere: its index.html."""
    tmp = tmp_path_factory.mktemp("client-site")
    root = tmp / "kb"
    shutil.copytree(REPO / "contracts", root / "contracts")
    shutil.copytree(REPO / "content", root / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", "")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    build_client_sites(root, [SLUG], Options(zip=True))
    with zipfile.ZipFile(root / "site" / "clients" / f"{SLUG}.zip") as archive:
        archive.extractall(tmp / "received")
    return tmp / "received" / SLUG / "index.html"


def test_the_search_works_from_the_disk_and_opens_a_page(page, unpacked):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(unpacked.as_uri())
    page.click(INPUT)
    page.keyboard.type("imprimante hors ligne")
    page.wait_for_selector(RESULTS)
    titles = page.eval_on_selector_all(RESULTS, "items => items.map(i => i.textContent)")
    assert any("hors ligne" in title for title in titles), titles
    assert "hors ligne" in titles[0], titles
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.startswith("file://") and page.url.endswith("/articles/imprimante-reseau-hors-ligne.html")
    assert "hors ligne" in page.title()
    # the search index is a script beside the pages; nothing is requested but files
    assert any(url.endswith("assets/scopekb/search-index.js") for url in requests)
    assert all(url.startswith(("file://", "data:", "blob:")) for url in requests), requests


def test_the_guide_is_reached_from_the_summary_and_answers(page, unpacked):
    page.goto(unpacked.as_uri())
    with page.expect_navigation():
        page.click("text=Ma demande est-elle couverte ? Répondez à quelques questions")
    assert page.url.endswith("/guide.html")
    assert page.locator(".scopekb-leaf--handle").count() > 0 and page.locator(".scopekb-leaf--out-of-scope").count() > 0
    assert "Couvert." in page.inner_text(".scopekb-guide")


def test_on_paper_the_summary_has_no_navigation(page, unpacked):
    page.goto(unpacked.as_uri())
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-footer", ".scopekb-search"):
        assert page.eval_on_selector(selector, "e => getComputedStyle(e).display") == "none", selector
    assert page.eval_on_selector("h2", "e => getComputedStyle(e).breakBefore") in ("auto", "page")
    breaks = page.eval_on_selector_all(".md-typeset h2", "hs => hs.map(h => getComputedStyle(h).breakBefore)")
    assert breaks[0] == "auto" and set(breaks[1:]) == {"page"}, breaks
