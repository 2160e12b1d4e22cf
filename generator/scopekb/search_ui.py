"""The words of scopekb's search box, in the site's language, and the attributes of its script tag.

search.js has no words of its own: it takes each from its script tag's data attributes, else from
the strings script (`search_index.strings_script`, loaded before it), else from the index.
"""
from __future__ import annotations

from html import escape

# Words of the user interface, in the site's language; the script tag's data attributes may override them.
UI_STRINGS = {
    "fr": {
        "label": "Rechercher dans la base de connaissances",
        "placeholder": "Rechercher",
        "results": "Résultats de la recherche",
        "loading": "Chargement de l'index de recherche…",
        "none": "Aucun résultat",
        "one": "1 résultat",
        "many": "{n} résultats",
        "more": "{n} premiers affichés",
        "kind.client": "Client",
        "kind.article": "Article",
        "kind.category": "Catégorie",
        "kind.tree": "Arbre de décision",
        "kind.scenario": "Scénario",
    },
    "en": {
        "label": "Search the knowledge base",
        "placeholder": "Search",
        "results": "Search results",
        "loading": "Loading the search index…",
        "none": "No result",
        "one": "1 result",
        "many": "{n} results",
        "more": "first {n} shown",
        "kind.client": "Client",
        "kind.article": "Article",
        "kind.category": "Category",
        "kind.tree": "Decision tree",
        "kind.scenario": "Scenario",
    },
}


def ui_strings(lang: str = "fr") -> dict[str, str]:
    """The words of the search box, for data attributes of its script tag (see search.js)."""
    return dict(UI_STRINGS[lang])


def script_attributes(lang: str = "fr", base: str | None = None, load: str | None = None) -> str:
    """The attributes of search.js's `<script>` tag for a page: its words in `lang`, the page's `base`
    URL (relative: "../" for a page one folder down) and when to load the index, HTML-escaped."""
    attributes = {"data-lang": lang}
    if base is not None:
        attributes["data-base"] = base
    if load is not None:
        attributes["data-load"] = load
    for key in ("label", "placeholder", "loading"):  # shown before the index (which has the others) is loaded
        attributes[f"data-{key}"] = UI_STRINGS[lang][key]
    return " ".join(f'{name}="{escape(value, quote=True)}"' for name, value in attributes.items())
