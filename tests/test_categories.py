"""Articles tied into the site: category pages, links from client pages, tree leaves and the articles."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scopekb.kb.articles import with_articles
from scopekb.kb.load import load_knowledge_base
from scopekb.site import context
from scopekb.site.categories import article_footer, covering
from scopekb.site.context import SiteContext, split_html_page
from scopekb.site.pages import render_site

REPO = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def kb():
    return with_articles(load_knowledge_base(REPO), REPO)


def hrefs(html: str) -> list[str]:
    """The links of a page's content (of a built page: its <article>, not the navigation)."""
    if "<article" in html:
        html = html[html.index("<article"):html.index("</article>")]
    return re.findall(r'href="([^"]+)"', html)


def test_a_category_page_lists_the_clients_covering_it_and_its_articles(kb):
    page = render_site(kb, today=DAY)[context.category_page("printers")]
    title, body = split_html_page(page)
    assert title.startswith("# Imprimantes locales et en réseau")
    expected = {row.slug for row in covering(SiteContext(kb, "fr", DAY, True), "printers")}
    assert expected and {f"../../clients/{slug}.html" for slug in expected} <= set(hrefs(body))
    linked = {h.split("/")[-1].removesuffix(".html") for h in hrefs(body) if "/clients/" in h}
    assert linked == expected  # clients whose contracts in force cover printers, and no other
    assert "../../articles/imprimante-reseau-hors-ligne/" in hrefs(body)
    assert "../../articles/outlook-ne-demarre-plus/" not in hrefs(body)


def test_covering_takes_contracts_in_force_on_the_day(kb):
    site = SiteContext(kb, "fr", DAY, True)
    for row in covering(site, "printers"):
        contract = next(c for c in kb.clients[row.slug].contracts if c.id == row.contract)
        assert contract.in_force(DAY) and any(e.category == "printers" for e in contract.scope)
    garage = [row for row in covering(site, "printers") if row.slug == "garage-rousseau-freres"]
    assert garage == []  # its contract expired in 2025


def test_a_client_page_links_the_articles_of_its_categories(kb):
    pages = render_site(kb, today=DAY)
    body = split_html_page(pages[context.client_page("menuiserie-berard-fils")])[1]
    assert "../articles/imprimante-reseau-hors-ligne/" in hrefs(body)  # printers: in its perimeter
    assert "../categories/printers/" in hrefs(body)
    marchand = split_html_page(pages[context.client_page("editions-marchand-cie")])[1]
    assert "../articles/outlook-ne-demarre-plus/" in hrefs(marchand)


def test_tree_leaves_that_handle_or_route_link_their_category_s_articles(kb):
    pages = render_site(kb, today=DAY, directory_urls=False)
    body = split_html_page(pages[context.tree_page("menuiserie-berard-fils")])[1]
    leaves = re.findall(r'<div class="scopekb-leaf scopekb-leaf--([a-z-]+)">(.*?)</div>', body, re.S)
    linked = {verdict for verdict, leaf in leaves if "../articles/imprimante-reseau-hors-ligne.html" in leaf}
    assert linked and linked <= {"handle", "route"}


def test_an_article_names_its_categories_and_their_clients(kb):
    site = SiteContext(kb, "fr", DAY, True)
    article = next(a for a in kb.articles if a.page == "articles/poste-sans-acces-reseau.md")
    footer = article_footer(site, article)
    assert "../../categories/workstations/" in hrefs(footer) and "../../categories/lan/" in hrefs(footer)
    clients = {row.slug for c in article.categories for row in covering(site, c)}
    assert {f"../../clients/{slug}.html" for slug in clients} == {h for h in hrefs(footer) if "/clients/" in h}


def test_a_new_article_shows_in_its_category_its_clients_pages_and_the_search(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(REPO / "contracts", root / "contracts")
    shutil.copytree(REPO / "content", root / "content")
    (root / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", ""))
    made = subprocess.run(["scopekb", "new", "article", "Toner qui fuit", "--category", "printers", "--root", str(root)],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert subprocess.run(["scopekb", "build", "--root", str(root)], capture_output=True, timeout=600).returncode == 0
    site = root / "site" / "internal"
    assert (site / "articles" / "toner-qui-fuit" / "index.html").is_file()
    assert "../../articles/toner-qui-fuit/" in hrefs((site / "categories/printers/index.html").read_text())
    assert "../articles/toner-qui-fuit/" in hrefs((site / context.client_html("menuiserie-berard-fils")).read_text())
    assert "../articles/toner-qui-fuit/" not in hrefs((site / context.client_html("editions-marchand-cie")).read_text())
    script = (site / "assets/scopekb/search-index.js").read_text(encoding="utf-8")
    assert "Toner qui fuit" in json.loads(script[script.index("=") + 1:].rstrip().removesuffix(";"))["docs"]
