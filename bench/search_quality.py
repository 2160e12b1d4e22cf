"""What the search finds, measured in a page that has search.js and its index loaded.

`inflections`: French inflections that no page of the site uses, with the stem Snowball gives them.
What the browser has to find for a word it never saw at build time: search.js maps it to the longest
indexed stem that begins it; a Snowball stemmer in the browser would give exactly `stem(word)`. The
cases are inflections of words the pages use (plural, feminine, participles, verb forms) whose Snowball
stem is one the index has, so that a right answer exists.

`ranking`: how often the page asked for comes first.
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


def inflections(page, docs) -> str:
    """How often a French inflection no page uses finds the stem Snowball gives it."""
    cases = inflection_cases(docs)
    found = page.evaluate("""(cases) => {
      const data = window.scopekbSearch.prepare(window.scopekbSearchIndex);
      return cases.map(([word, stem]) => {
        const stems = [...window.scopekbSearch.stemsOf(data, word, false).keys()].map(n => data.stems[n]);
        return stems.length === 0 ? 'none' : stems.includes(stem) ? 'right' : 'wrong';
      });
    }""", [[word, word_stem] for word, word_stem in cases])
    count = {k: found.count(k) for k in ("right", "wrong", "none")}
    return (f"{len(cases)} unseen inflections of indexed words: {count['right']} find their Snowball stem "
            f"({100 * count['right'] / max(1, len(cases)):.1f} %), {count['wrong']} another stem, "
            f"{count['none']} nothing")


def ranking(page, docs) -> str:
    """How often the page asked for comes first: a client's full name, its code (alias), an article's
    title; 100 of each, spread over the documents."""
    clients = [d for d in docs if d.kind == "client"]
    articles = [d for d in docs if d.kind == "article"]
    step = max(1, len(clients) // 100)
    cases = {"client named in full": [(d.title, d.url) for d in clients[::step][:100]],
             "client's code": [(d.keywords[0], d.url) for d in clients[::step][:100]],
             "article's title": [(d.title, d.url) for d in articles[:100]]}
    found = page.evaluate("""(cases) => {
      const data = window.scopekbSearch.prepare(window.scopekbSearchIndex), out = {};
      for (const [label, queries] of Object.entries(cases)) {
        out[label] = queries.filter(([query, url]) => {
          const hits = window.scopekbSearch.search(data, query, 1).hits;
          return hits.length > 0 && data.docs[hits[0].doc].url === url;
        }).length + ' of ' + queries.length;
      }
      return out;
    }""", cases)
    return "; ".join(f"{label}: {count} first" for label, count in found.items())
