"""The site's own full-text search index: documents in, the text of two small scripts out.

Pure Python, no MkDocs: the plugin hands `build_search_index` one
`SearchDocument` per page and writes the two files it returns under
assets/scopekb/; site_templates/assets/search.js loads them as plain
`<script>` files (no fetch, so the search works from file:// too) and reads
the globals they set.

Why this shape (figures in the commit messages, bench/search_latency.py):
- Words are normalised (lowercase, accents stripped, œ/æ spelled out) and
  stemmed with Snowball at build time. The browser does not stem: the index
  maps every word form seen at build time to its stem, so the browser only
  normalises the query and looks its words up by prefix in the sorted list of
  forms. A query word never seen at build time (an inflection no page uses)
  falls back to the longest stem that begins it (search.js).
- Everything is a handful of long strings, not millions of JS values: the
  browser parses a string literal at memory speed and splits it once.
  Postings are varints in a 64-letter alphabet (`encode_varints`), each value
  holding the gap to the previous document and the fields the stem was seen
  in (title, keywords, text count); a stem's line has the documents that name
  it (title, keywords) first, then "." and those that only have it in their
  text: as you type one or two letters, search.js reads only the first part
  (thousands of words begin with "a"; their texts are every page).
- The first file holds what a search needs (documents' kind, URL, title, the
  dictionary and the postings); the second, loaded right after, holds the
  snippets shown under each hit, which a search never reads.
- Text a page only repeats (stop words) is left out of the postings of texts
  but kept in titles and keywords; the browser gets the list and does not
  require those words of a hit.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from scopekb.site.search_ui import ui_strings

INDEX_FILE = "assets/scopekb/search-index.js"
SNIPPETS_FILE = "assets/scopekb/search-snippets.js"
STRINGS_FILE = "assets/scopekb/search-strings.js"
INDEX_GLOBAL = "scopekbSearchIndex"
SNIPPETS_GLOBAL = "scopekbSearchSnippets"
STRINGS_GLOBAL = "scopekbSearchStrings"
FORMAT_VERSION = 2  # 2: a stem's postings in two parts, "named.text" (1 had one part)

KINDS = ("client", "article", "category", "tree", "scenario")
# How a kind weighs in the ranking: technicians come to the search box for articles first; a client's
# decision tree repeats its client page and comes after it.
KIND_BOOST = {"client": 1.0, "article": 1.6, "category": 1.2, "tree": 0.5, "scenario": 1.5}
STEMMERS = {"fr": "french", "en": "english"}
SNIPPET_CHARS = 160

# Field flags of a posting (low 4 bits of each value): the stem is in the title, in the keywords, and
# how often it is in the text (0-3, capped).
TITLE_FLAG, KEYWORD_FLAG, TEXT_MASK = 8, 4, 3

# Words every page has: not worth a posting when they are only in a text.
STOP_WORDS = {
    "fr": ("a au aux avec ce ces d dans de des du elle en est et il ils je l la le les leur lui ma mais me "
           "mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses si son sur ta te tes "
           "toi ton tu un une vos votre vous y c j m t"),
    "en": ("a an and are as at be but by for from has have i if in into is it its no not of on or our so "
           "that the their them then there these they this to was we were which will with you your"),
}

# 64 letters that need no escaping in a JS string: 0-31 continue a number, 32-63 end it.
VARINT_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_LAST_DIGIT = VARINT_ALPHABET[32:]
_WORD = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s+")
_LETTERS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchDocument:
    """One page of the site, as the search sees it.

    `url` is relative to the site's root ("clients/dupont.html", "scenarios/x/"): the browser prefixes
    the page's base URL. `keywords` are words that name the page without being its title (a client's
    aliases, asset ids, models) and rank almost as high. `boost` multiplies the kind's weight.
    """
    url: str
    title: str
    kind: str
    text: str = ""
    keywords: tuple[str, ...] = ()
    boost: float = 1.0
    summary: str | None = None  # shown under the hit; the start of the text when None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown search document kind {self.kind!r} (expected one of {', '.join(KINDS)})")
        if self.url.startswith("/") or "://" in self.url:
            raise ValueError(f"search document URLs are relative to the site's root: {self.url!r}")


@dataclass(frozen=True)
class SearchIndexFiles:
    """The two scripts of an index, by their path in the site (INDEX_FILE, SNIPPETS_FILE)."""
    index: str
    snippets: str
    stats: dict = field(default_factory=dict, compare=False)

    def files(self) -> dict[str, str]:
        return {INDEX_FILE: self.index, SNIPPETS_FILE: self.snippets}


class _Plain(dict):
    """str.translate's table for decomposed text: combining marks (any category M) removed, œ and æ
    spelled out; each character looked up once (a loop over characters cost most of an index's build)."""

    def __missing__(self, code: int):
        char = chr(code)
        plain = "" if unicodedata.category(char).startswith("M") else {"œ": "oe", "æ": "ae"}.get(char, char)
        self[code] = plain
        return plain


_PLAIN = _Plain()


def normalize(text: str) -> str:
    """Lowercase, without accents, œ and æ spelled out: what search.js's normalize does to a query."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return unicodedata.normalize("NFD", lowered).translate(_PLAIN)


# A site has some ten thousand distinct words, each written thousands of times.
_normal_word = lru_cache(maxsize=1 << 16)(normalize)


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order: runs of a-z and 0-9."""
    return _WORD.findall(normalize(text))


@lru_cache(maxsize=None)
def _stemmer(lang: str):
    return snowballstemmer.stemmer(STEMMERS[lang])


def stem(word: str, lang: str) -> str:
    """The stem of one word (any case and accents), normalised.

    Snowball's French rules read accents ("-ée", "-ième"), so the word is stemmed with them, lowercased,
    and the stem is normalised after. Codes and numbers (any digit) and words of one or two letters are
    their own stem.
    """
    lowered = word.lower()
    plain = normalize(lowered)
    if len(plain) <= 2 or any(c.isdigit() for c in plain):
        return plain
    return normalize(_stemmer(lang).stemWord(lowered))


def tokens(text: str) -> list[tuple[str, str]]:
    """The words of `text` as (lowercased with accents, for the stemmer; normalised), cut as `words` cuts.

    A regular expression finds them in nearly every text; where its cuts differ from those of `words`
    (a combining mark, a letter that normalises to another script such as "ß"), a walk over the
    characters does, and failing even that, the words are stemmed without their accents.
    """
    lowered = text.lower()
    expected = words(text)
    found = [(raw, _normal_word(raw)) for raw in _LETTERS.findall(lowered)]
    if [form for _, form in found] == expected:
        return found
    found = _tokens_by_character(lowered)
    return found if [form for _, form in found] == expected else [(form, form) for form in expected]


def _tokens_by_character(lowered: str) -> list[tuple[str, str]]:
    found, raw, form = [], [], []
    for char in lowered + " ":
        plain = normalize(char)
        if not plain and raw:  # a combining mark: part of the letter before it
            raw.append(char)
        elif plain and all("a" <= c <= "z" or "0" <= c <= "9" for c in plain):
            raw.append(char)
            form.append(plain)
        elif raw:
            found.append(("".join(raw), "".join(form)))
            raw, form = [], []
    return found


def encode_varints(values) -> str:
    """Non-negative integers as letters of VARINT_ALPHABET, 5 bits a letter, the last one of each marked."""
    out = []
    for value in values:
        if 0 <= value < 32:  # most values: one letter
            out.append(_LAST_DIGIT[value])
            continue
        if value < 0:
            raise ValueError("varints are non-negative")
        digits = [32 + (value & 31)]
        value >>= 5
        while value:
            digits.append(value & 31)
            value >>= 5
        out.extend(VARINT_ALPHABET[d] for d in reversed(digits))
    return "".join(out)


def decode_varints(text: str) -> list[int]:
    """The inverse of `encode_varints` (search.js decodes the same way)."""
    values, current = [], 0
    for char in text:
        digit = VARINT_ALPHABET.index(char)
        current = current * 32 + (digit & 31)
        if digit >= 32:
            values.append(current)
            current = 0
    return values


def one_line(text: str) -> str:
    """Text on one line, without the tabs and newlines the index uses as separators."""
    return _SPACE.sub(" ", text).strip()


def js_literal(value) -> str:
    """`value` as a JS literal that cannot end the script it is in nor break a line.

    JSON is valid JS; "<", ">" and "&" are escaped so that no "</script>" or "<!--" appears, and U+2028
    and U+2029 (line ends for older JS parsers) too.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _encode_postings(entries: list[tuple[int, int]]) -> str:
    previous, values = 0, []
    for doc, flags in entries:
        values.append(((doc - previous) << 4) | flags)
        previous = doc
    return encode_varints(values)


def _summary(document: SearchDocument) -> str:
    whole = document.summary if document.summary is not None else document.text
    text = one_line(whole[: 4 * SNIPPET_CHARS])  # a long text's end is never shown: not worth collapsing
    if len(text) <= SNIPPET_CHARS and len(whole) <= 4 * SNIPPET_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return text[: cut if cut > SNIPPET_CHARS // 2 else SNIPPET_CHARS] + "…"


class _Collector:
    """Word forms, stems and per-document field flags, gathered over all documents."""

    def __init__(self, lang: str):
        self.lang = lang
        self.stop = frozenset(STOP_WORDS[lang].split())
        self.form_stem: dict[str, str] = {}  # normalised form -> normalised stem
        self.postings: dict[str, dict[int, int]] = {}  # stem -> {document: flags}
        self._stem_of_raw: dict[str, str] = {}

    def _stem(self, raw: str) -> str:
        found = self._stem_of_raw.get(raw)
        if found is None:
            found = self._stem_of_raw[raw] = stem(raw, self.lang)
        return found

    def add(self, doc: int, text: str, flag: int, skip_stop_words: bool) -> None:
        # Each distinct word once (a text repeats most of its words): counting is done in C.
        for (raw, form), times in Counter(tokens(text)).items():
            if skip_stop_words and form in self.stop:
                continue
            word_stem = self._stem(raw)
            # A form seen with two stems (accented and not: "été", "ete") keeps the first, in document order.
            if form not in self.form_stem:
                self.form_stem[form] = word_stem
            flags = self.postings.get(word_stem)
            if flags is None:
                flags = self.postings[word_stem] = {}
            old = flags.get(doc, 0)
            if flag == 1:  # `times` more in the text, counted up to TEXT_MASK
                flags[doc] = (old & ~TEXT_MASK) | min(TEXT_MASK, (old & TEXT_MASK) + times)
            else:
                flags[doc] = old | flag


def build_search_index(documents: list[SearchDocument], lang: str = "fr", split: bool = True) -> SearchIndexFiles:
    """The search index of `documents` (in the order given: it is the order of equal hits) for a site in
    `lang` ("fr" or "en"). With `split` false, the snippets are in the first file and the second is empty
    of them (a variant for the benchmark). Same documents, same bytes.
    """
    if lang not in STEMMERS:
        raise ValueError(f"unknown search language {lang!r} (expected one of {', '.join(STEMMERS)})")
    collector = _Collector(lang)
    for n, document in enumerate(documents):
        collector.add(n, document.title, TITLE_FLAG, skip_stop_words=False)
        collector.add(n, " ".join(document.keywords), KEYWORD_FLAG, skip_stop_words=False)
        collector.add(n, document.text, 1, skip_stop_words=True)

    stems = sorted(collector.postings)
    stem_number = {s: n for n, s in enumerate(stems)}
    forms = sorted(collector.form_stem)
    postings = []
    for s in stems:
        entries = sorted(collector.postings[s].items())
        named = [(doc, flags) for doc, flags in entries if flags & (TITLE_FLAG | KEYWORD_FLAG)]
        text_only = [(doc, flags) for doc, flags in entries if not flags & (TITLE_FLAG | KEYWORD_FLAG)]
        postings.append(_encode_postings(named) + "." + _encode_postings(text_only))

    records = []
    for document in documents:
        fields = [str(KINDS.index(document.kind)), one_line(document.url), one_line(document.title)]
        if document.boost != 1.0:
            fields.append(repr(float(document.boost)))
        records.append("\t".join(fields))
    snippets = "\n".join(_summary(d) for d in documents)

    index = {
        "version": FORMAT_VERSION,
        "lang": lang,
        "strings": ui_strings(lang),
        "kinds": list(KINDS),
        "kindBoost": [KIND_BOOST[k] for k in KINDS],
        "stopWords": sorted(collector.stop),
        "docs": "\n".join(records),
        "forms": "\n".join(forms),
        "formStems": encode_varints(stem_number[collector.form_stem[f]] for f in forms),
        "stems": "\n".join(stems),
        "postings": "\n".join(postings),
    }
    # Both files name the index they belong to: a snippets file left from another build is not used.
    index["id"] = hashlib.sha256(js_literal(index).encode() + snippets.encode()).hexdigest()[:16]
    if not split:
        index["snippets"] = snippets
    snippets_data = {"id": index["id"], "snippets": snippets if split else ""}
    index_js = f"window.{INDEX_GLOBAL}={js_literal(index)};\n"
    snippets_js = f"window.{SNIPPETS_GLOBAL}={js_literal(snippets_data)};\n"
    stats = {"documents": len(documents), "forms": len(forms), "stems": len(stems),
             "postings": sum(len(collector.postings[s]) for s in stems),
             "index_bytes": len(index_js.encode()), "snippets_bytes": len(snippets_js.encode())}
    return SearchIndexFiles(index_js, snippets_js, stats)


def strings_script(lang: str = "fr") -> str:
    """A small script with the search box's words (STRINGS_FILE): for pages whose script tags cannot
    carry data attributes (MkDocs' extra_javascript), loaded before search.js."""
    return f"window.{STRINGS_GLOBAL}={js_literal(ui_strings(lang))};\n"
