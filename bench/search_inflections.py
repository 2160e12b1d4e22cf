"""French inflections that no page of a generated site uses, with the stem Snowball gives them.

What the browser has to find for a word it never saw at build time: search.js maps it to the longest
indexed stem that begins it; a Snowball stemmer in the browser would give exactly `stem(word)`. The
cases are inflections of words the pages use (plural, feminine, participles, verb forms) whose Snowball
stem is one the index has, so that a right answer exists.
"""
from __future__ import annotations

from scopekb.site.search_index import normalize, stem, tokens

# (ending of an indexed word, endings put in its place)
RULES = [("", ("s", "x", "e", "es")), ("e", ("es", "er", "ez", "ée", "ées", "ent", "ait")),
         ("er", ("é", "ée", "és", "ées", "ez", "ent", "ant", "ons", "ait", "era", "ement")),
         ("é", ("er", "ée", "és", "ées")), ("s", ("",)), ("al", ("aux", "ale", "ales")), ("aux", ("al",)),
         ("ion", ("ions", "ionnel", "ionner")), ("eur", ("eurs", "euse", "rice")), ("ique", ("iques", "iquement"))]
MAX_CASES = 600


def inflection_cases(documents) -> list[tuple[str, str]]:
    """(normalised inflection, its Snowball stem, normalised), sorted, at most MAX_CASES evenly spread."""
    raw_words, forms = set(), set()
    for document in documents:
        for raw, form in tokens(" ".join((document.title, document.text, *document.keywords))):
            forms.add(form)
            if raw.isalpha() and len(raw) >= 5:
                raw_words.add(raw)
    stems = {stem(raw, "fr") for raw in raw_words}
    cases = {}
    for raw in sorted(raw_words):
        for ending, replacements in RULES:
            if not raw.endswith(ending):
                continue
            for replacement in replacements:
                word = raw[: len(raw) - len(ending)] + replacement
                form, word_stem = normalize(word), stem(word, "fr")
                if form not in forms and word_stem in stems and form not in cases:
                    cases[form] = word_stem
    ordered = sorted(cases.items())
    step = max(1, len(ordered) // MAX_CASES)
    return ordered[::step][:MAX_CASES]
