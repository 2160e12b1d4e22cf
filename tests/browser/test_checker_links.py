"""From the finder to the verdict without typing again, and the subject's suggestions.

The finder's link to a client page says what the checker should hold, after '#': `asset=ID` when the
text typed names one of the client's assets (its id, or a model only that asset has), `item=MODEL` for
a model several of its assets share, `check` otherwise. The checker fills its form from it and shows
the verdict at once, equal to `scopekb.decide`'s. As the subject is typed, the checker offers the
client's scope items and equipment first, then the catalogue, keyboard first.
"""
from __future__ import annotations

import datetime as dt

from scopekb.coverage.decide import Request, decide

from .checker_form import READ_RESULT, RESULT, as_shown, page_data, wait_for_checker
from .finder import open_first

CHECKER = "#scopekb-checker"
ITEM = f'{CHECKER} input[name="item"]'
ASSET = f'{CHECKER} select[name="asset"]'
KIND = f'{CHECKER} select[name="kind"]'
OPTIONS = f"{CHECKER} [role=option]"


def shown_equals_python(page, kb, slug: str, **request) -> dict:
    data = page_data(page)
    want = decide(kb, Request(client=slug, date=dt.date.today(), **request), data["lang"]).as_json()
    shown = page.eval_on_selector(RESULT, READ_RESULT)
    assert shown == as_shown(want, data), (slug, request)
    return want


def test_an_asset_id_typed_in_the_finder_opens_the_checker_on_that_asset(site, kb, page):
    assets = [(slug, a) for slug, c in kb.clients.items() for ct in c.contracts for a in ct.equipment]
    assert len(assets) >= 10
    for slug, asset in assets:
        results = open_first(page, site.url, asset.id.lower())
        assert results[0]["fragment"] == f"#asset={asset.id}", results
        wait_for_checker(page)
        assert page.get_attribute(CHECKER, "data-client") == slug
        assert page.input_value(ASSET) == asset.id and page.input_value(ITEM) == ""
        assert page.evaluate("document.activeElement.name") == "asset"
        shown_equals_python(page, kb, slug, asset=asset.id)


def test_a_model_typed_in_the_finder_opens_the_checker_on_the_asset_that_has_it(site, kb, page):
    slug = "menuiserie-berard-fils"
    results = open_first(page, site.url, "brother hl")
    assert results[0]["fragment"] == "#asset=PRN-0107"
    wait_for_checker(page)
    assert page.input_value(ASSET) == "PRN-0107"
    assert shown_equals_python(page, kb, slug, asset="PRN-0107")["reasons"][0]["code"] == "acquired-after-signature"


def test_where_the_finder_sends_each_hit(site, page):
    """On an index made for the test: one asset of a model, two of a model, ids, names."""
    page.goto(site.url)
    page.wait_for_function("window.scopekbFinderIndex !== undefined")
    targets = page.evaluate("""() => {
        const f = window.scopekbFinder;
        const data = f.prepare({version: 2, models: [["HP LaserJet 4250", "hp laserjet 4250"],
                                                     ["Dell OptiPlex 7010", "dell optiplex 7010"]],
                                clients: [["Alpha Conseil", "", "alpha conseil|ac", "PRN-1|PC-1|PC-2", [0, 1, 1]],
                                          ["Bêta", "beta-sarl", "beta|beta sarl", "PC-10", [1]]]});
        const out = {};
        for (const text of ["PRN-1", "pc-1", "pc 10", "laserjet", "HP LaserJet 4250", "optiplex", "alpha", "ac",
                            "alpah", "pc", "beta"]) {
            const query = f.normalForm(text);
            out[text] = f.search(data, query, 12).hits.map((h) => h.client.slug + ' ' + f.target(data, h, query));
        }
        return out;
    }""")
    assert targets["PRN-1"] == ["alpha-conseil asset=PRN-1"]
    assert targets["pc-1"] == ["alpha-conseil asset=PC-1", "beta-sarl asset=PC-10"]  # exact first; PC-10 alone
    assert targets["pc 10"] == ["beta-sarl asset=PC-10"]
    assert targets["laserjet"] == targets["HP LaserJet 4250"] == ["alpha-conseil asset=PRN-1"]
    # two assets of Alpha have this model: the model is the subject; Bêta's one is chosen
    assert targets["optiplex"] == ["alpha-conseil item=Dell%20OptiPlex%207010", "beta-sarl asset=PC-10"]
    assert targets["alpha"] == targets["ac"] == targets["alpah"] == ["alpha-conseil check"]
    assert targets["pc"] == ["alpha-conseil check", "beta-sarl asset=PC-10"]  # 3 assets of Alpha begin with pc
    assert targets["beta"] == ["beta-sarl check"]


def test_the_address_fills_the_form(site, kb, page):
    slug = "editions-marchand-cie"
    url = site.client_pages[slug]
    page.goto(f"{url}#kind=installation&item=installer%20un%20logiciel")
    wait_for_checker(page)
    assert (page.input_value(KIND), page.input_value(ITEM)) == ("installation", "installer un logiciel")
    assert page.evaluate("document.activeElement.name") == "item"
    shown_equals_python(page, kb, slug, kind="installation", item="installer un logiciel")
    # a new address on the same page (no reload) fills it anew
    page.evaluate("location.hash = 'item=Excel'")
    page.wait_for_function(f"document.querySelector('{ITEM}').value === 'Excel'")
    assert page.input_value(KIND) == "incident"
    shown_equals_python(page, kb, slug, item="Excel")
    # an asset the client does not have is not chosen; #check only puts the focus on the subject
    slug = "menuiserie-berard-fils"
    for fragment in ("#asset=ZZ-1", "#check"):
        page.goto(f"{site.client_pages[slug]}{fragment}")
        wait_for_checker(page)
        assert page.input_value(ASSET) == "" and page.evaluate("document.activeElement.name") == "item"


def test_the_subject_offers_the_clients_equipment_and_items_first(site, kb, page):
    slug = "menuiserie-berard-fils"
    page.goto(f"{site.client_pages[slug]}#check")
    wait_for_checker(page)
    page.keyboard.type("imp")
    options = page.eval_on_selector_all(OPTIONS, "os => os.map((o) => [o.dataset.asset || '', o.textContent])")
    assert [asset for asset, _ in options[:2]] == ["PRN-0058", "PRN-0107"]  # its printers, in the contract's order
    assert options[2][1].startswith("imprimante") and all(not asset for asset, _ in options[2:])
    assert page.get_attribute(ITEM, "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute(ITEM, "aria-activedescendant") == page.eval_on_selector_all(
        OPTIONS, "os => os[1].id")
    page.keyboard.press("Enter")  # the second: PRN-0107, as --asset
    assert (page.input_value(ASSET), page.input_value(ITEM)) == ("PRN-0107", "")
    assert page.get_attribute(ITEM, "aria-expanded") == "false"
    shown_equals_python(page, kb, slug, asset="PRN-0107")
    # a text: as --item; Escape closes the list and keeps what is typed
    page.keyboard.type("lasre")  # one swap from "laser"
    assert page.input_value(ASSET) == ""  # typing a subject clears the asset
    texts = page.eval_on_selector_all(OPTIONS, "os => os.filter((o) => !o.dataset.asset).map((o) => o.firstChild.textContent)")
    assert "laser" in texts, texts
    page.keyboard.press("Escape")
    assert page.input_value(ITEM) == "lasre" and page.get_attribute(ITEM, "aria-expanded") == "false"
    shown_equals_python(page, kb, slug, item="lasre")
    page.fill(ITEM, "")
    page.keyboard.type("excel")
    page.keyboard.press("Enter")  # none highlighted: the first
    chosen = page.input_value(ITEM)
    assert chosen.lower() == "excel"
    shown_equals_python(page, kb, slug, item=chosen)


def test_suggestions_follow_the_catalogue_and_the_clients_scope(site, kb, page):
    """Every scope item and asset of the client, and every label and keyword of the catalogue, can be
    suggested: typed whole, it is among the suggestions."""
    page.goto(site.client_pages["cabinet-dupont-associes"])
    wait_for_checker(page)
    missing = page.evaluate("""() => {
        const c = window.scopekbChecker, data = c.pageData(), pool = c.suggestionPool(data), missing = [];
        const texts = [];
        data.contracts.forEach((k) => k.scope.forEach((e) => e.items.forEach((i) => texts.push(i))));
        data.catalog.forEach((cat) => { texts.push(cat.label); cat.keywords.forEach((w) => texts.push(w)); });
        for (const text of texts)
            if (!c.suggest(pool, text, 1000).some((s) => s.text === text)) missing.push(text);
        for (const k of data.contracts) for (const a of k.equipment)
            if (!c.suggest(pool, a.id, 1000).some((s) => s.asset && s.asset.id === a.id)) missing.push(a.id);
        return missing;
    }""")
    assert missing == []
