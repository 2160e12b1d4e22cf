"""What the site's search finds: a document per page, made from the data (search_index.py indexes them).

Client pages, decision trees, category pages and resolution scenarios are
described from their data, not read back from their HTML: the same words a technician
types (a name, an alias, an asset id, a model, a category). Articles bring
the text of their page, which only MkDocs renders (the plugin hands it over).
"""
from __future__ import annotations

import html
import re

from scopekb.site.context import SiteContext, category_page, client_html, page_url, tree_html
from scopekb.site.scenarios import scenario_page
from scopekb.site.search_index import SearchDocument, SearchIndexFiles, build_search_index

_TAG = re.compile(r"<[^>]+>")
_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)


def text_of_html(fragment: str) -> str:
    """The words of an HTML fragment: tags dropped (permalinks with their sign), entities decoded."""
    return " ".join(html.unescape(_TAG.sub(" ", _PERMALINK.sub("", fragment))).split())


def client_documents(site: SiteContext) -> list[SearchDocument]:
    """A client page and its decision tree, for each client."""
    catalog, found = site.kb.provider.catalog, []
    for slug, client in site.kb.clients.items():
        keywords = [*client.aliases, slug]
        text = []
        for contract in client.contracts:
            keywords.append(contract.id)
            keywords += [part for asset in contract.equipment for part in (asset.id, asset.model) if part]
            text += [catalog[entry.category].label for entry in contract.scope]
            text += [item for entry in contract.scope for item in entry.items]
            text += [contract.public_notes, contract.internal_notes]
        found.append(SearchDocument(client_html(slug), client.name, "client", " ".join(filter(None, text)),
                                    keywords=tuple(dict.fromkeys(keywords))))
        found.append(SearchDocument(tree_html(slug), site.t("tree.title", client=client.name), "tree",
                                    site.t("tree.q-subject"), keywords=tuple(client.aliases)))
    return found


def category_documents(site: SiteContext) -> list[SearchDocument]:
    return [SearchDocument(page_url(category_page(cid), site.directory_urls), category.label, "category",
                           site.t(f"category.kind.{category.kind}"), keywords=category.keywords)
            for cid, category in site.kb.provider.catalog.items()]


def article_documents(site: SiteContext, contents: dict[str, str]) -> list[SearchDocument]:
    """The articles; `contents` holds the HTML MkDocs made of each article's page, by its path."""
    return [SearchDocument(page_url(article.page, site.directory_urls), article.title, "article",
                           text_of_html(contents.get(article.page, "")),
                           keywords=(*article.symptoms, *article.products))
            for article in site.kb.articles]


def scenario_documents(site: SiteContext) -> list[SearchDocument]:
    """The resolution scenarios mined from the tickets (site/scenarios.py): found by the callers' words and
    the resolution. Scrubbed ticket text, as on their pages; search.js shows it as text, never as markup."""
    catalog = site.kb.provider.catalog
    return [SearchDocument(page_url(scenario_page(s.id), site.directory_urls), s.title, "scenario",
                           " ".join([*s.symptoms, s.resolution, catalog[s.category].label]), keywords=s.symptoms)
            for s in getattr(site.kb.tickets, "scenarios", ())]


def search_index(site: SiteContext, article_contents: dict[str, str]) -> SearchIndexFiles:
    """The index files of the whole site: articles first, as the ranking favours them on a tie."""
    documents = [*article_documents(site, article_contents), *scenario_documents(site), *category_documents(site),
                 *client_documents(site)]
    return build_search_index(documents, site.lang)
