"""The search entries of the client pages, made by the build's second process (build_worker.py).

Material's search indexes a page with its own SearchIndex over the page's
HTML; `page_entries` gives it the sections read by render_search.py instead,
and the entries come out the same. The `Indexer` spreads that work over the
tree pages the process writes, and `merge_search_entries` puts the entries
where Material would have. `EntryCache` keeps the entries of the pages of the
last build: a page indexed with the same settings, URL, title and HTML, by
the same code, gets the same entries without being read again.
"""
from __future__ import annotations

import functools
import hashlib
import json
import pickle
import queue
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from scopekb.kb.cache import write_atomic
from scopekb.mkdocs_plugin.client_search import client_sections
from scopekb.mkdocs_plugin.search_sections import search_sections, search_view

END = ("end",)
CLIENTS = "clients"  # (CLIENTS, {slug: (url, title, heading)}): index the client pages
SPLIT = ("split",)  # the building process takes the last tree pages left, its share of the work left


@dataclass
class PageToIndex:
    """What Material's indexer reads of a page (its SearchIndex.add_entry_from_context)."""
    url: str
    title: str
    meta: dict
    content: str
    toc: list = field(default_factory=list)  # an entry's anchor is then "#" + the heading's id, as with a toc


def page_entries(search_config: dict, page: PageToIndex, sections: list[tuple] | None = None) -> list[dict]:
    """Material's search entries of a page: `sections` (those search_sections gives), else sections read
    from its lean view (render_search.py), made into entries by Material's SearchIndex."""
    from material.plugins.search.plugin import Element, SearchIndex, Section

    index = SearchIndex(**search_config)
    if sections is None:
        page.content = search_view(page.content)
        sections = search_sections(page.content)
    if sections is None:  # left to Material's parser
        index.add_entry_from_context(page)
    else:
        for tag, depth, anchor, title, text in sections:
            section = Section(Element(tag), depth)
            section.id, section.title, section.text = anchor, title, text
            index.create_entry_for_section(section, page.toc, page.url, page)
    return index.entries


class Indexer:
    """The second process's indexing of the client pages, once the building process has sent the
    headings of their titles (CLIENTS): a share of them before each tree page, as the building process
    waits for none of them. It also answers SPLIT: the building process takes the last tree pages left,
    as many as lets both end together (the reply names the client it starts at).
    """

    def __init__(self, search_config: dict | None, inbox: queue.Queue, out, trees: int,
                 cache: EntryCache | None = None):
        self.search_config, self.inbox, self.out, self.cache = search_config, inbox, out, cache
        self.bodies: dict[str, str] = {}  # by slug, as sent
        self.views: dict[str, dict] = {}  # what each body shows (render.client_view), by slug
        self.pending: list[tuple[str, str, str, str]] = []  # pages to index: (slug, URL, title, heading)
        self.entries: dict[str, list[dict]] = {}
        self.ended = False  # the building process has sent all it will
        self.trees, self.next_tree = trees, trees  # clients; the next tree page (all done until told)
        self.stop: int | None = None  # the client whose tree page the building process starts at
        self.seconds = {"tree": 0.0, "page": 0.0}  # time spent so far on tree pages and on indexing pages
        self.done = {"tree": 0, "page": 0}
        self.tree_started: float | None = None

    def until(self, next_tree: int) -> int | None:
        """Before a tree page: the messages waiting, a share of the pages to index; where to stop."""
        now = time.perf_counter()
        if self.tree_started is not None:
            self._spent("tree", now - self.tree_started, 1)
        self.next_tree = next_tree
        self._read(wait=False)
        last = self.trees if self.stop is None else self.stop
        if next_tree < last:  # the pages to index, spread over the tree pages left here
            self._index(-(-len(self.pending) // (last - next_tree)))
        self.tree_started = time.perf_counter()
        return self.stop

    def rest(self) -> dict[str, list[dict]]:
        """Index the pages left, then wait for the end of the messages: the building process is likely still
        writing its share of the tree pages."""
        self.tree_started = None
        self._read(wait=False)
        self._index(len(self.pending))
        self._read(wait=True)
        self._index(len(self.pending))
        return self.entries

    def _spent(self, work: str, seconds: float, count: int) -> None:
        self.seconds[work] += seconds
        self.done[work] += count

    def _index(self, count: int) -> None:
        if self.search_config is None or not count:
            return
        started = time.perf_counter()
        for slug, url, title, heading in self.pending[:count]:
            page = PageToIndex(url, title, {}, f"{heading}\n{self.bodies[slug]}")
            # The sections come from what the page shows, faster than from its HTML (render_client_search.py).
            sections = functools.partial(client_sections, self.views[slug], heading) if slug in self.views else None
            self.entries[url] = self.cache.entries(page, sections) if self.cache else \
                page_entries(self.search_config, page, sections and sections())
        del self.pending[:count]
        self._spent("page", time.perf_counter() - started, count)

    def split_at(self) -> int:
        """The client from which the building process writes the tree pages: so that its share of them
        takes as long as the rest of them and the pages left to index take here."""
        left = self.trees - self.next_tree
        if not self.done["tree"]:
            return self.next_tree + (left + 1) // 2
        tree = self.seconds["tree"] / self.done["tree"]
        page = self.seconds["page"] / self.done["page"] if self.done["page"] else tree
        indexing = len(self.pending) * page if self.search_config is not None else 0.0
        keep = round((left * tree - indexing) / (2 * tree))
        return self.next_tree + min(left, max(0, keep))

    def _read(self, wait: bool) -> None:
        while not self.ended:
            try:
                message = self.inbox.get(block=wait)
            except queue.Empty:
                return
            if message == END:
                self.ended = True
            elif message == SPLIT:
                self.stop = self.split_at()
                pickle.dump((SPLIT, self.stop), self.out, pickle.HIGHEST_PROTOCOL)
                self.out.flush()
            else:  # (CLIENTS, {slug: (url, title, heading)})
                self.pending += [(slug, *page) for slug, page in message[1].items()]


def merge_search_entries(index_file: Path, order: list[str], entries: dict[str, list[dict]]) -> None:
    """Put each page's entries into Material's search index, in the order of `order` (page URLs).

    Material writes a page's entries when it builds the page, with locations
    "URL" and "URL#anchor"; the pages indexed elsewhere get theirs at the same place.
    """
    data = json.loads(index_file.read_text(encoding="utf-8"))
    by_page: dict[str, list[dict]] = {}
    for doc in data["docs"]:
        by_page.setdefault(doc["location"].split("#", 1)[0], []).append(doc)
    docs = []
    for url in order:
        docs += entries[url] if url in entries else by_page.pop(url, [])
    for rest in by_page.values():  # pages Material kept from a previous build (mkdocs serve --dirty)
        docs += rest
    data["docs"] = docs
    index_file.write_text(json.dumps(data, separators=(",", ":"), default=str), encoding="utf-8")


class EntryCache:
    """The search entries of the pages indexed by the last build, by a digest of all they are made from.

    Material's indexer makes a page's entries from the search settings and the page's URL, title,
    metadata and HTML, and nothing else: the digest covers those and the code that reads them (this
    module, render_search.py, Material's search plugin, Python's version), so a page found here gets
    the entries the indexer would make. A cache that cannot be read or written costs the indexing,
    never the build.
    """

    @classmethod
    def at(cls, path: Path | None, search_config: dict | None) -> "EntryCache | None":
        """The cache kept at `path`; None where there is nothing to index or no cache to keep."""
        if path is None or search_config is None:
            return None
        try:
            return cls(path, search_config)
        except Exception:  # Material's code not readable as files, say: indexed as without a cache
            return None

    def __init__(self, path: Path, search_config: dict):
        from material.plugins.search import plugin as material_search

        self.path, self.search_config = Path(path), search_config
        code = hashlib.sha1(f"{sys.version}|{search_config!r}".encode())
        for module in (__file__, search_view.__code__.co_filename, client_sections.__code__.co_filename,
                       material_search.__file__):
            code.update(Path(module).read_bytes())
        self.code = code.digest()
        self.found: dict[bytes, list[dict]] = {}
        self.kept: dict[bytes, list[dict]] = {}  # those of this build's pages
        try:
            with open(path, "rb") as stream:
                found = pickle.load(stream)
            self.found = found if isinstance(found, dict) else {}
        except Exception:  # none yet, or unreadable: indexed again
            self.found = {}

    def entries(self, page: PageToIndex, sections: Callable[[], list[tuple] | None] | None = None) -> list[dict]:
        """The page's entries, kept or made (from `sections()`, if given: the sections of its content)."""
        key = hashlib.sha1(self.code + pickle.dumps((page.url, page.title, page.meta, page.content, page.toc),
                                                    pickle.HIGHEST_PROTOCOL)).digest()
        entries = self.found.get(key)
        if entries is None:
            entries = page_entries(self.search_config, page, sections and sections())
        self.kept[key] = entries
        return entries

    def save(self) -> None:
        """Keep the entries of this build's pages for the next, if they differ from those kept."""
        if self.kept.keys() == self.found.keys():
            return
        write_atomic(self.path, pickle.dumps(self.kept, pickle.HIGHEST_PROTOCOL))
