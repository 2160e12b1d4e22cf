"""Every sentence scopekb shows, in one catalogue per language: fr.yaml (the default) and en.yaml.

The command line, the pages, the decision trees, the call reception page and
form, the navigation's section titles and the in-browser checker all take their
words from here, so that the site and `scopekb check` say the same thing the
same way. Values are `str.format` templates with named fields. A few sentences
carry Markdown (bold, a link); a Markdown page keeps it only where its template
asks with md() (SiteContext.markdown), elsewhere it would be escaped.

What is product text, here: everything the site shows, what `scopekb check`
answers, and what a command says when it succeeds (`cli.*`: `validate`'s "ok",
`build`'s progress and summary, `init`, `render`, `schema --out`), in the
knowledge base's language.

What stays in English, on purpose, outside the catalogue: error lines
(`FILE:LINE: key: problem (expected ...)`, and `command line: ...`), the
commands' --help, the descriptions in the JSON Schemas written for editors
(`scopekb schema`), and log lines for whoever runs MkDocs. They are for the
people who maintain the data and the tooling, not for the technician on a
call; one format in one language is what editors' problem matchers, scripts
and searches for an error's text can rely on; and an error must not depend
on reading a mkdocs.yml that may be the very thing that is wrong.

tests/test_words.py fails on a key used but missing in a language, defined but
used nowhere, or built at run time from values it has no declared source for,
and on French and English catalogues that differ in keys or fields.
"""
from __future__ import annotations

import functools
import importlib.resources
from typing import Callable

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


@functools.lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """Key -> sentence template, in `lang`."""
    import yaml  # here: importing scopekb.words costs nothing until a sentence is needed

    text = importlib.resources.files("scopekb.words").joinpath(f"{lang}.yaml").read_text("utf-8")
    return yaml.load(text, Loader=yaml.CSafeLoader)


def message(lang: str, key: str, **fields: object) -> str:
    """The sentence `key` in `lang`, with its fields filled in."""
    return catalogue(lang)[key].format(**fields)


def sentences(lang: str) -> Callable[..., str]:
    """`t(key, **fields)`: the sentences of `lang` as one function, for templates."""
    table = catalogue(lang)

    def t(key: str, **fields: object) -> str:
        return table[key].format(**fields) if fields else table[key]
    return t


def groups(lang: str, *prefixes: str) -> dict[str, str]:
    """The sentences whose keys begin with one of `prefixes` (`"verdict."`), for a script that needs them."""
    return {key: text for key, text in catalogue(lang).items() if key.startswith(prefixes)}
