"""The words of scopekb's search box, in the site's language, and the attributes of its script tag.

search.js has no words of its own: it takes each from its script tag's data attributes, else from
the strings script (`search_index.strings_script`, loaded before it), else from the index. The words
themselves are the catalogue's `search.` keys (scopekb.words), without the prefix.
"""
from __future__ import annotations

from html import escape

from scopekb.words import LANGUAGES, groups


def ui_strings(lang: str = "fr") -> dict[str, str]:
    """The words of the search box: the catalogue's `search.` keys, without the prefix."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown search language {lang!r} (expected one of {', '.join(LANGUAGES)})")
    return {key.removeprefix("search."): text for key, text in groups(lang, "search.").items()}


def script_attributes(lang: str = "fr", base: str | None = None, load: str | None = None) -> str:
    """The attributes of search.js's `<script>` tag for a page: its words in `lang`, the page's `base`
    URL (relative: "../" for a page one folder down) and when to load the index, HTML-escaped."""
    attributes = {"data-lang": lang}
    if base is not None:
        attributes["data-base"] = base
    if load is not None:
        attributes["data-load"] = load
    words = ui_strings(lang)
    for key in ("label", "placeholder", "loading"):  # shown before the index (which has the others) is loaded
        attributes[f"data-{key}"] = words[key]
    return " ".join(f'{name}="{escape(value, quote=True)}"' for name, value in attributes.items())
