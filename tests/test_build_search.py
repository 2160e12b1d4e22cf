"""build_search.EntryCache: a page indexed again with nothing changed gets the entries Material would make."""
from __future__ import annotations

import json
import pickle

import pytest

from test_build import SEARCH_CONFIG, SLUGS, make_root

from scopekb.mkdocs_plugin import search_entries as build_search
from scopekb.site import pages as render
from scopekb.site import context
from scopekb.publish.build import build_site
from scopekb.mkdocs_plugin.search_entries import EntryCache, PageToIndex, page_entries
from scopekb.mkdocs_plugin.plugin import SEARCH_CACHE


def page(n: int, text: str = "un mot") -> PageToIndex:
    return PageToIndex(f"clients/c{n}.html", f"C{n}", {}, f'<h1 id="c{n}">C{n}</h1>\n<h2 id="a">A</h2>\n<p>{text}</p>')


def entries_of(made: PageToIndex) -> list[dict]:
    return page_entries(SEARCH_CONFIG, PageToIndex(made.url, made.title, dict(made.meta), made.content))


def test_entries_kept_for_the_next_build_and_made_again_when_a_page_changes(tmp_path, monkeypatch):
    path = tmp_path / "cache" / "entries.pickle"
    cache = EntryCache(path, SEARCH_CONFIG)
    first = [cache.entries(page(n)) for n in range(3)]
    assert first == [entries_of(page(n)) for n in range(3)]
    cache.save()
    made: list[str] = []
    index = build_search.page_entries
    monkeypatch.setattr(build_search, "page_entries",
                        lambda config, p, sections=None: made.append(p.url) or index(config, p, sections))
    again = EntryCache(path, SEARCH_CONFIG)
    assert again.entries(page(0)) == first[0] and again.entries(page(1)) == first[1] and made == []
    changed = page(2, "deux mots")
    assert again.entries(changed) == entries_of(changed) != first[2] and made == ["clients/c2.html"]
    renamed = PageToIndex(page(0).url, "Autre titre", {}, page(0).content)
    assert again.entries(renamed) == entries_of(renamed) and made[-1] == "clients/c0.html"
    again.save()
    assert len(pickle.loads(path.read_bytes())) == 4  # this build's pages only
    # Other search settings: nothing kept applies.
    other = EntryCache(path, {**SEARCH_CONFIG, "separator": r"[\s]+"})
    made.clear()
    other.entries(page(1))
    assert made == ["clients/c1.html"]


@pytest.mark.parametrize("damage", ["garbage", "another pickle", "a folder"])
def test_a_cache_that_cannot_be_read_or_written_costs_the_indexing_only(tmp_path, damage):
    path = tmp_path / "entries.pickle"
    if damage == "garbage":
        path.write_bytes(b"\x80\x05not a pickle")
    elif damage == "another pickle":
        path.write_bytes(pickle.dumps(["not", "a", "dict"]))
    else:
        path.mkdir()
    cache = EntryCache(path, SEARCH_CONFIG)
    assert cache.entries(page(0)) == entries_of(page(0))
    cache.save()  # no exception
    assert EntryCache.at(None, SEARCH_CONFIG) is None and EntryCache.at(path, None) is None


def test_a_build_uses_the_entries_kept_and_indexes_a_changed_client_again(tmp_path):
    root = make_root(tmp_path / "kb")
    build_site(root)
    index_file = root / "site" / "internal" / "search" / "search_index.json"
    first = index_file.read_bytes()
    cache_file = root / SEARCH_CACHE
    assert cache_file.is_file()
    build_site(root)
    assert index_file.read_bytes() == first
    # Mark every kept entry: a build that takes them from the cache shows the mark.
    kept = pickle.loads(cache_file.read_bytes())
    for entries in kept.values():
        for entry in entries:
            entry["text"] += " KEPT"
    cache_file.write_bytes(pickle.dumps(kept))
    contract = root / "contracts" / "hotel-le-belvedere-ctr-2023-008.yaml"
    contract.write_text(contract.read_text(encoding="utf-8").replace("Wi-Fi des clients", "Wi-Fi du hall"),
                        encoding="utf-8")
    build_site(root)
    docs = json.loads(index_file.read_text(encoding="utf-8"))["docs"]
    marked = {doc["location"].split("#")[0] for doc in docs if doc["text"].endswith(" KEPT")}
    changed = context.client_html("hotel-le-belvedere")
    assert marked == {context.client_html(slug) for slug in SLUGS} - {changed}
    assert any("Wi-Fi du hall" in doc["text"] for doc in docs if doc["location"].startswith(changed))


def test_a_page_whose_only_change_is_the_day_keeps_its_entries(tmp_path):
    """The status date is out of full-text search: the first build of a day finds the entries of the day before."""
    import datetime as dt

    from scopekb.kb.load import load_knowledge_base

    kb = load_knowledge_base(make_root(tmp_path / "kb"))
    days = dt.date(2025, 6, 1), dt.date(2025, 6, 2)
    sites = [context.SiteContext(kb, "fr", day, True) for day in days]
    same = 0
    for slug, client in kb.clients.items():
        before, after = (f'<h1 id="t">T</h1>\n{render.client_body(site, client)}' for site in sites)
        assert before != after  # the page shows the day
        if after.replace(days[1].isoformat(), days[0].isoformat()) == before:  # and nothing else changed
            same += 1
            assert entries_of(PageToIndex(slug, "T", {}, after)) == entries_of(PageToIndex(slug, "T", {}, before))
    assert same >= 6
