"""The home page's client finder: three letters, results as you type, Enter opens the client."""
from __future__ import annotations

from scopekb.kb.model import normal_form

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
        assert results[0]["page"] in site.client_pages.values()
        # found by its name: the page opens at its checker, ready for the subject
        assert results[0]["fragment"] == "#check"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == results[0]["href"]
        opened = page.get_attribute(CHECKER, "data-client")
        assert site.client_pages[opened] == results[0]["page"]


def test_accents_and_case_do_not_matter(site, kb, page):
    client = next(c for c in kb.clients.values() if normal_form(c.name[:3]) != c.name[:3].lower())
    plain = normal_form(client.name)[:3].upper()
    results = find(page, site.url, plain)
    assert client.name in [r["name"] for r in results], (plain, results)


def test_an_asset_id_finds_its_client(site, kb, page):
    slug, asset = next((s, a) for s, c in kb.clients.items() for ct in c.contracts for a in ct.equipment)
    results = open_first(page, site.url, asset.id.lower())
    assert page.get_attribute(CHECKER, "data-client") == slug, results


def search_each(page, site, queries: list[str], per_query: str) -> dict:
    """{query: per_query's value} in the home page, where `f` is the finder and `data` its prepared index."""
    page.goto(site.url)
    page.wait_for_selector(INPUT)
    page.wait_for_function("window.scopekbFinderIndex !== undefined")
    return page.evaluate("""async (queries) => {
        const f = window.scopekbFinder;
        const data = f.prepare(window.scopekbFinderIndex);
        const out = {};
        for (const query of queries) out[query] = (%s)(query);
        return out;
    }""" % per_query, queries)


def test_the_best_hits_kept_are_the_first_of_all_hits(site, page):
    """The finder keeps only the best few as it goes: they are the first of the whole ranked list."""
    checked = search_each(page, site, ["e", "a", "r", "ga", "et", "prn", "hotel belv", "zzz"], """(query) => {
        const all = f.search(data, f.normalForm(query), Infinity);
        const few = f.search(data, f.normalForm(query), 3);
        const names = (hits) => hits.map((h) => h.client.name + '|' + h.via + '|' + h.score);
        return [all.count, few.count, all.hits.length, names(all.hits).slice(0, 3), names(few.hits)];
    }""")
    assert sum(1 for count, *rest in checked.values() if count > 3) >= 3  # queries with more hits than kept
    for query, (all_count, few_count, listed, best_of_all, kept) in checked.items():
        assert all_count == few_count == listed and kept == best_of_all, query
        scores = [int(name.rsplit("|", 1)[1]) for name in best_of_all]
        assert scores == sorted(scores), query


def test_words_typed_in_any_order_each_begin_a_word_of_a_name(site, page):
    queries = ["belv hotel", "Le Hôtel", "hotel belv", "tel belv", "otel belv", "hotel zzz", "otel elv",
               "belvedere hotel le"]
    found = search_each(page, site, queries, """(query) =>
        f.search(data, f.normalForm(query), 50).hits.map((h) => [h.client.name, h.score])""")
    assert found["belv hotel"] == found["Le Hôtel"] == [["Hôtel Le Belvédère", 1004]]  # words in any order
    assert found["hotel belv"] == [["Hôtel Le Belvédère", 1001]]  # as typed: the start of its alias Hôtel Belvédère
    assert found["tel belv"] == [["Hôtel Le Belvédère", 3003]]  # as typed, inside a word
    assert found["otel belv"] == [["Hôtel Le Belvédère", 1014]]  # otel: one letter from hotel
    assert found["hotel zzz"] == found["otel elv"] == [] and found["belvedere hotel le"] == [["Hôtel Le Belvédère", 1004]]


def test_a_word_of_four_letters_or_more_may_be_one_edit_away(site, page):
    """Spec v2: a letter missing, added, changed, or two swapped, in a word of 4 characters or more."""
    queries = ["hotel belvedre", "hotl", "otel", "berrad", "bearrd", "menuserie", "barerd", "brad", "hotel belvedre zz",
               "Bérard", "HÔTEL LE BELVÉDÈRE"]
    found = search_each(page, site, queries, """(query) =>
        f.search(data, f.normalForm(query), 50).hits.map((h) => [h.client.name, h.score, h.distance])""")
    hotel, berard = "Hôtel Le Belvédère", "Menuiserie Bérard & Fils"
    assert found["hotel belvedre"] == found["hotl"] == found["otel"] == [[hotel, 1014, 1]]
    assert found["berrad"] == found["bearrd"] == found["menuserie"] == [[berard, 1014, 1]]  # swapped, added, missing
    assert found["barerd"] == found["brad"] == found["hotel belvedre zz"] == []  # two edits; 3 letters; no zz
    assert found["Bérard"] == [[berard, 1001, 0]]  # the start of its alias Bérard & Fils
    assert found["HÔTEL LE BELVÉDÈRE"] == [[hotel, 0, 0]]  # its name, exactly


def test_the_site_opened_from_disk_finds_clients_and_opens_their_page(site, kb, page):
    """file://: no XHR may read the index there (CORS), but a script may: the finder works as served."""
    home = (site.root / "index.html").as_uri()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    slug, client = next((s, c) for s, c in kb.clients.items() if c.aliases)
    results = find(page, home, client.name[:4])
    assert results[0]["name"] == client.name and results[0]["href"].startswith("file://"), results
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.startswith((site.root / "clients").as_uri())
    assert page.get_attribute(CHECKER, "data-client") == slug
    page.wait_for_selector(f'{CHECKER}[data-ready="true"]', state="attached")  # its checker works too
    # every way in: an alias, without accents, in capitals
    for text in (client.aliases[0], normal_form(client.aliases[0]).upper()):
        assert client.name in [r["name"] for r in find(page, home, text)], text
    assert not [url for url in failed if "/assets/scopekb/" in url], failed
