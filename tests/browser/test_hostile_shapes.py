"""Names in odd shapes, in Chromium: the finder finds a client by its name in NFC or NFD form (whichever form
the contract holds), and by the name each of its contracts gives it (contracts of one slug are one client),
as `scopekb check` does; the search box too.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from kb_builder import PROVIDER, mkdocs_yml, write_kb

from .serve import serve

NFC = unicodedata.normalize("NFC", "Menuiserie Bérard & Fils")
NFD = unicodedata.normalize("NFD", NFC)
CONTRACT = """\
id: {id}
client: {{name: {name}, slug: {slug}, aliases: [{alias}]}}
signed: 2025-01-01
services: [incident]
scope: []
"""
MKDOCS = mkdocs_yml("Shapes")


def scopekb(root: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import sys; from scopekb.cli import main; sys.argv[0] = 'scopekb'; main()",
               *args, "--root", str(root)]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))


@pytest.fixture(scope="module")
def shapes_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    write_kb(root, {
        # the name written decomposed (as some editors and macOS file names do), its alias composed
        "berard.yaml": CONTRACT.format(id="CTR-1", name=json.dumps(NFD), slug="berard",
                                       alias=json.dumps(unicodedata.normalize("NFC", "Bérard Frères"))),
        # two contracts of one slug: one client, two names
        "martin-1.yaml": CONTRACT.format(id="CTR-2", name="Établissements Martin", slug="martin", alias="EM"),
        "martin-2.yaml": CONTRACT.format(id="CTR-3", name=json.dumps(unicodedata.normalize("NFD", "Martin Électricité")),
                                         slug="martin", alias="ME"),
    }, PROVIDER)
    (root / "content").mkdir()
    (root / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    done = scopekb(root, "build")
    assert done.returncode == 0, done.stderr
    with serve(root / "site" / "internal") as url:
        yield root, url


QUERIES = {
    "the name, composed": (NFC, "berard"),
    "the name, decomposed": (NFD, "berard"),
    "the alias, decomposed": (unicodedata.normalize("NFD", "Bérard Frères"), "berard"),
    "the alias, composed": (unicodedata.normalize("NFC", "Bérard Frères"), "berard"),
    "a contract's name, composed": (unicodedata.normalize("NFC", "Martin Électricité"), "martin"),
    "the other contract's name, decomposed": (unicodedata.normalize("NFD", "Établissements Martin"), "martin"),
}


@pytest.mark.parametrize("query", QUERIES)
def test_the_finder_and_check_find_the_same_client(shapes_site, page, query):
    root, url = shapes_site
    text, slug = QUERIES[query]
    assert json.loads(scopekb(root, "check", text, "--json").stdout)["client"] == slug
    page.goto(url)
    page.fill("#scopekb-finder-input", text)
    page.wait_for_selector(".scopekb-finder__result")
    first = page.locator(".scopekb-finder__result a").first
    # the client's page, opened at its checker (#check) when the query names no asset
    assert first.get_attribute("href").split("#")[0].endswith(f"clients/{slug}.html")


def test_the_search_box_finds_a_decomposed_name_by_its_composed_form(shapes_site, page):
    _, url = shapes_site
    page.goto(url)
    page.fill("#scopekb-search-input", unicodedata.normalize("NFC", "Bérard"))
    page.wait_for_selector(".scopekb-search__results li")
    titles = [unicodedata.normalize("NFC", t) for t in page.locator(".scopekb-search__title").all_inner_texts()]
    assert NFC in titles
