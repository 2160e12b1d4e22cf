"""Fixtures of the browser tests: the example site, built and served on 127.0.0.1, and Chromium.

The site is built once per session from the repository's own example data
(contracts/ and content/) into a temporary folder, exactly as a user builds it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from scopekb.site import pages as render
from scopekb.site import context
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import KnowledgeBase

from .axe import install_axe
from .serve import serve
from .sitebuild import build_site

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CHECKER_DIV = re.compile(r'<div[^>]*\bid="scopekb-checker"[^>]*\bdata-client="([^"]+)"')


@dataclass
class Site:
    root: Path  # the built site
    url: str  # where it is served, ending in '/'
    client_pages: dict[str, str] = field(default_factory=dict)  # slug -> URL of its page

    def page_url(self, html_file: Path) -> str:
        rel = html_file.relative_to(self.root).as_posix()
        return self.url + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)

    def url_of(self, rel: str) -> str:
        """The URL of a built file, given its path in the site ('x/index.html' -> 'x/')."""
        assert (self.root / rel).is_file(), f"the site has no {rel}"
        return self.page_url(self.root / rel)

    def tree_url(self, slug: str) -> str:
        return self.url_of(context.tree_html(slug))

    def call_reception_url(self) -> str:
        return self.url_of(render.CALL_PAGE.removesuffix(".md") + "/index.html")

    def article_urls(self) -> list[str]:
        """The pages of the repository's own articles (content/), home page aside."""
        found = []
        for source in sorted((REPO / "content").rglob("*.md")):
            rel = source.relative_to(REPO / "content").with_suffix("").as_posix()
            if rel not in ("index", "README") and not rel.endswith("/index"):
                found.append(self.url_of(f"{rel}/index.html"))
        return found


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base(REPO)


def built_site(tmp_path_factory, language: str | None):
    out = tmp_path_factory.mktemp(f"site-{language or 'default'}") / "site"
    build_site(REPO, out, language)
    with serve(out) as url:
        built = Site(out, url)
        for html in sorted(out.rglob("*.html")):
            found = CHECKER_DIV.search(html.read_text(encoding="utf-8"))
            if found:
                built.client_pages[found.group(1)] = built.page_url(html)
        yield built


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The site as the repository's mkdocs.yml builds it (French)."""
    yield from built_site(tmp_path_factory, None)


@pytest.fixture(scope="session")
def site_en(tmp_path_factory) -> Site:
    """The same site with `theme.language: en`."""
    yield from built_site(tmp_path_factory, "en")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's script, installed from the npm registry if it is not yet."""
    return install_axe()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def checker_page(browser, site):
    """A page of the example site, for tests that run its checker on data of their own: every page loads
    checker.js."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(site.url)
    assert page.evaluate("typeof window.scopekbDecide") == "function"
    yield page
    context.close()
