"""scopekb's own search box (site_templates/assets/search.js) on a small generated site, over HTTP and
from file://: what it finds, how it ranks, the keyboard, and hostile titles shown as text."""
from __future__ import annotations

import pytest

from .axe import serious_violations
from .search_page import HOSTILE, write_site
from .serve import serve

INPUT = "#scopekb-search-input"
RESULTS = "#scopekb-search-results .scopekb-search__result"


@pytest.fixture(scope="module")
def site_fr(tmp_path_factory):
    return write_site(tmp_path_factory.mktemp("search-fr"))


@pytest.fixture(scope="module")
def site_en(tmp_path_factory):
    return write_site(tmp_path_factory.mktemp("search-en"), "en")


@pytest.fixture(scope="module")
def http_fr(site_fr):
    with serve(site_fr) as url:
        yield url


@pytest.fixture(params=["http", "file"])
def base_url(request, site_fr, http_fr):
    """The French site's root, served over HTTP or opened from the disk."""
    return http_fr if request.param == "http" else site_fr.as_uri() + "/"


@pytest.fixture
def dialogs(page):
    """Messages of any alert or confirm a page opens (an injected script would): none expected."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    return seen


def hits(page, query: str) -> list[dict]:
    """Type `query` in the box (after emptying it) and wait for its hits: kind label, title, link."""
    page.fill(INPUT, "")
    page.click(INPUT)
    page.keyboard.type(query)
    page.wait_for_function(
        "(q) => { const s = document.querySelector('#scopekb-search-status');"
        " return document.querySelector('#scopekb-search-input').value === q && s && s.textContent &&"
        " window.scopekbSearchIndex !== undefined && !/Chargement|Loading/.test(s.textContent); }", arg=query)
    return page.eval_on_selector_all(RESULTS, """items => items.map(item => ({
        kind: item.querySelector('.scopekb-search__kind').textContent,
        title: item.querySelector('.scopekb-search__title').textContent,
        href: item.querySelector('a').getAttribute('href')}))""")


def titles(found: list[dict]) -> list[str]:
    return [hit["title"] for hit in found]


def test_inflections_accents_and_kinds(page, base_url, dialogs):
    page.goto(base_url + "scenarios/imprimante-reseau/index.html")
    found = hits(page, "imprimantes")
    kinds = {hit["title"]: hit["kind"] for hit in found}
    assert kinds.get("L'imprimante réseau apparaît hors ligne") == "Article", found
    assert kinds.get("Imprimantes locales et en réseau") == "Catégorie", found
    assert kinds.get("Cabinet Dupont & Associés") == "Client", found
    assert found[0]["kind"] == "Article", "articles rank before the other pages that name the word"
    assert titles(hits(page, "ECRAN")) == ["Garage Rousseau"], "accents and case ignored"
    assert titles(hits(page, "écrans")) == ["Garage Rousseau"], "an inflection no page uses"
    assert titles(hits(page, "redemarrage")) == ["L'imprimante réseau apparaît hors ligne"]
    assert hits(page, "zzzz") == []
    assert page.inner_text("#scopekb-search-status") == "Aucun résultat"
    assert not dialogs


def test_prefix_aliases_and_asset_ids(page, base_url):
    page.goto(base_url + "index.html")
    assert titles(hits(page, "laserj")) == ["Cabinet Dupont & Associés"], "the last word is a prefix"
    assert titles(hits(page, "PRN-01")) == ["Cabinet Dupont & Associés"]
    assert titles(hits(page, "cda"))[0] == "Cabinet Dupont & Associés"
    assert "Garage Rousseau" in titles(hits(page, "postes de trav"))
    # One or two letters match titles and keywords only, not every text with a word that begins so.
    assert titles(hits(page, "tr")) == ["Dupont Transports"]
    assert set(titles(hits(page, "tra"))) > {"Dupont Transports", "Garage Rousseau"}


def test_exact_client_name_ranks_first(page, http_fr):
    page.goto(http_fr)
    assert titles(hits(page, "Dupont Transports"))[0] == "Dupont Transports"
    found = hits(page, "cabinet dupont associes")
    assert titles(found)[:2] == ["Cabinet Dupont & Associés", "Arbre de décision : Cabinet Dupont & Associés"]
    assert [hit["kind"] for hit in found[:2]] == ["Client", "Arbre de décision"]
    assert titles(hits(page, "dupont"))[0] == "Dupont Transports", "the shortest title the query begins"


def test_keyboard_opens_the_page_from_any_depth(page, base_url):
    page.goto(base_url + "scenarios/imprimante-reseau/index.html")
    hits(page, "rousseau")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute(INPUT, "aria-activedescendant") == "scopekb-search-option-0"
    assert page.get_attribute("#scopekb-search-option-0", "aria-selected") == "true"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == base_url + "clients/garage-rousseau.html"
    # A folder's URL: from file:// its index.html, over HTTP the folder.
    hits(page, "imprimante reseau hors")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # nothing highlighted: the first hit
    folder = base_url + "scenarios/imprimante-reseau/"
    assert page.url == (folder + "index.html" if base_url.startswith("file:") else folder)


def test_arrows_wrap_and_escape_closes(page, http_fr):
    page.goto(http_fr)
    found = hits(page, "travail")
    assert len(found) == 3
    page.keyboard.press("ArrowUp")
    assert page.get_attribute(INPUT, "aria-activedescendant") == "scopekb-search-option-2"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute(INPUT, "aria-activedescendant") == "scopekb-search-option-0"
    assert page.get_attribute(INPUT, "aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert page.is_hidden(".scopekb-search__panel")
    assert page.get_attribute(INPUT, "aria-expanded") == "false"
    assert page.input_value(INPUT) == "travail", "the first Escape closes the list, the query stays"
    page.keyboard.press("Escape")
    assert page.input_value(INPUT) == ""


def test_query_typed_before_the_index_arrives(page, http_fr):
    """The index is held back until a query is in the box: its hits show when it arrives, with no
    further keystroke."""
    held = []
    page.route("**/search-index.js", lambda route: held.append(route))
    page.goto(http_fr)
    page.focus(INPUT)
    page.keyboard.insert_text("garage")
    while not held:
        page.wait_for_timeout(20)
    assert page.inner_text("#scopekb-search-status") == "Chargement de l'index de recherche…"
    assert page.locator(RESULTS).count() == 0
    held[0].continue_()
    page.wait_for_selector(RESULTS)
    assert page.inner_text(RESULTS + " .scopekb-search__title") == "Garage Rousseau"


def test_hostile_title_is_shown_as_text(page, base_url, dialogs):
    page.goto(base_url + "index.html")
    found = hits(page, "onerror")
    assert titles(found) == [HOSTILE]
    assert page.eval_on_selector_all("#scopekb-search-results img, body script:not([src])", "e => e.length") == 0
    assert hits(page, "piege")[0]["title"] == HOSTILE
    assert not dialogs


def test_box_in_the_header_with_its_words_and_roles(page, http_fr):
    page.goto(http_fr)
    assert page.locator(".md-header__inner .scopekb-search").count() == 1
    field = page.locator(INPUT)
    assert field.get_attribute("placeholder") == "Rechercher"
    assert field.get_attribute("role") == "combobox"
    assert page.locator("label[for='scopekb-search-input']").text_content() == "Rechercher dans la base de connaissances"
    assert page.get_attribute("#scopekb-search-status", "aria-live") == "polite"
    assert page.get_attribute("#scopekb-search-results", "role") == "listbox"
    # The index is loaded when the box is first used, not with the page.
    assert page.evaluate("window.scopekbSearchIndex === undefined")
    page.focus("#other-field")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "other-field", "'/' is typed in other fields"
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "scopekb-search-input"
    hits(page, "garage")
    assert page.get_attribute("#scopekb-search-results", "aria-label") == "Résultats de la recherche"


def test_open_list_has_no_serious_accessibility_violation(page, http_fr, axe_script):
    page.goto(http_fr)
    hits(page, "travail")
    page.keyboard.press("ArrowDown")
    found = serious_violations(page, axe_script)
    assert not found, "\n".join(found)


def test_page_without_header(page, base_url):
    page.goto(base_url + "standalone.html")
    assert page.locator("body > .scopekb-search--standalone").count() == 1
    assert titles(hits(page, "garage")) == ["Garage Rousseau"]


def test_english_site(page, site_en):
    with serve(site_en) as url:
        # No data attributes here: the words come from the strings script, the base from search.js's URL.
        page.goto(url + "categories/screens/")
        assert page.get_attribute(INPUT, "placeholder") == "Search"
        assert page.evaluate("window.scopekbSearchIndex === undefined")
        assert titles(hits(page, "monitor")) == ["Screens and monitors"]
        hits(page, "nothing here")
        assert page.inner_text("#scopekb-search-status") == "No result"
        found = hits(page, "printers")
        assert titles(found)[0] == "The network printer shows offline"
        assert {hit["kind"] for hit in found} == {"Article", "Client"}
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == url + "articles/printer-offline/"
