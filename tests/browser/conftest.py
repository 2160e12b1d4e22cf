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

from scopekb.load import load_knowledge_base
from scopekb.model import KnowledgeBase

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


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base(REPO)


@pytest.fixture(scope="session")
def site(tmp_path_factory, kb) -> Site:
    out = tmp_path_factory.mktemp("site")
    build_site(REPO, out, kb)
    with serve(out) as url:
        built = Site(out, url)
        for html in sorted(out.rglob("*.html")):
            found = CHECKER_DIV.search(html.read_text(encoding="utf-8"))
            if found:
                built.client_pages[found.group(1)] = built.page_url(html)
        yield built


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    yield page
    context.close()
