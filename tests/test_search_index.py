"""scopekb.site.search_index: words, stems, the index's data and its safety as a script."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scopekb.site.search_index import (INDEX_GLOBAL, KEYWORD_FLAG, SNIPPETS_GLOBAL, STRINGS_GLOBAL, TITLE_FLAG,
                                  SearchDocument, build_search_index, decode_varints, encode_varints, normalize,
                                  stem, strings_script, tokens, words)
from scopekb.site.search_ui import script_attributes, ui_strings

HOSTILE = "</script><img src=x onerror=alert(1)> \u2028\u2029 <!-- & ]]>"


def data_of(script: str, name: str) -> dict:
    """The value a generated script assigns to window.NAME."""
    prefix = f"window.{name}="
    assert script.startswith(prefix) and script.endswith(";\n")
    return json.loads(script[len(prefix):-2])


def index_of(documents, lang="fr") -> dict:
    return data_of(build_search_index(documents, lang).index, INDEX_GLOBAL)


def postings(index: dict, word_stem: str) -> dict[int, int]:
    """{document: flags} of a stem, decoded as search.js decodes them."""
    line = index["postings"].split("\n")[index["stems"].split("\n").index(word_stem)]
    named, text_only = line.split(".")
    found = {}
    for part, in_title_or_keywords in ((named, True), (text_only, False)):
        doc = 0
        for value in decode_varints(part):
            doc += value >> 4
            assert bool(value & (TITLE_FLAG | KEYWORD_FLAG)) == in_title_or_keywords
            found[doc] = value & 15
    return found


def test_normalize_drops_case_accents_and_ligatures():
    assert normalize("ÉCRAN Écran écran") == "ecran ecran ecran"
    assert normalize("Cœur Æther naïve çà") == "coeur aether naive ca"
    assert words("L'imprimante   réseau (PRN-0107)") == ["l", "imprimante", "reseau", "prn", "0107"]


def test_tokens_keep_accents_for_the_stemmer_and_cut_like_words():
    assert tokens("Réseaux d'Écrans") == [("réseaux", "reseaux"), ("d", "d"), ("écrans", "ecrans")]
    text = "Straße İstanbul ½ cœur_x"
    assert [form for _, form in tokens(text)] == words(text)


@pytest.mark.parametrize("lang, forms", [
    ("fr", ["imprimante", "imprimantes", "Imprimantes", "imprimer"]),
    ("fr", ["écran", "écrans", "ecrans", "ÉCRANS"]),
    ("fr", ["réseau", "réseaux", "reseaux"]),
    ("en", ["printer", "printers", "Printers"]),
    ("en", ["screen", "screens", "screening"]),
])
def test_inflections_share_a_stem(lang, forms):
    assert len({stem(form, lang) for form in forms}) == 1, {form: stem(form, lang) for form in forms}


def test_codes_and_short_words_are_their_own_stem():
    assert stem("0107", "fr") == "0107"
    assert stem("PC2", "fr") == "pc2"
    assert stem("os", "fr") == "os"


def test_same_documents_same_bytes_and_order_matters_only_for_ids():
    documents = [SearchDocument(f"clients/c{n}.html", f"Client {n} Écrans", "client", f"texte {n} imprimantes",
                                keywords=(f"C{n}", "PRN-0001")) for n in range(30)]
    first, second = build_search_index(documents), build_search_index(list(documents))
    assert first.index == second.index and first.snippets == second.snippets
    assert build_search_index(documents[::-1]).index != first.index


def test_hostile_text_cannot_leave_the_script():
    documents = [SearchDocument("clients/x.html", HOSTILE, "client", HOSTILE * 3, keywords=(HOSTILE,),
                                summary=HOSTILE)]
    files = build_search_index(documents)
    for script in (files.index, files.snippets):
        assert "<" not in script and ">" not in script and "&" not in script
        assert "\u2028" not in script and "\u2029" not in script
        assert script.count("\n") == 1  # only the final newline: no raw line end in any string
    index = data_of(files.index, INDEX_GLOBAL)
    assert index["docs"].split("\t")[2] == " ".join(HOSTILE.split())  # the title, back as text
    snippets = data_of(files.snippets, SNIPPETS_GLOBAL)
    assert snippets["id"] == index["id"] and snippets["snippets"].startswith("\u003c/script\u003e")


def test_separators_in_titles_and_urls_do_not_split_records():
    index = index_of([SearchDocument("a\tb.html", "Deux\tmots\nsur deux lignes", "article")])
    assert index["docs"] == "1\ta b.html\tDeux mots sur deux lignes"


def test_ranking_inputs_title_keywords_text_counts_and_kinds():
    documents = [
        SearchDocument("clients/a.html", "Imprimerie Martin", "client", "imprimante " * 5, keywords=("IMP", "écran")),
        SearchDocument("articles/b/", "Changer un écran", "article", "L'écran et les écrans.", boost=2.0),
        SearchDocument("categories/c/", "Écrans", "category", "de la"),
    ]
    index = index_of(documents)
    assert postings(index, "imprim") == {0: 3}  # five times in the text: capped at 3
    assert postings(index, "imprimer") == {0: TITLE_FLAG}
    assert postings(index, "ecran") == {0: KEYWORD_FLAG, 1: TITLE_FLAG | 2, 2: TITLE_FLAG}
    assert "imp" in index["forms"].split("\n")
    assert index["docs"].split("\n")[1].split("\t") == ["1", "articles/b/", "Changer un écran", "2.0"]
    assert index["kindBoost"][index["kinds"].index("article")] > index["kindBoost"][index["kinds"].index("client")]
    # Stop words only in a text get no postings; in a title they do.
    assert "la" not in index["stems"].split("\n")
    assert postings(index, "un") == {1: TITLE_FLAG}


def test_every_form_maps_to_its_stem():
    index = index_of([SearchDocument("a.html", "Imprimantes imprimante écrans", "article", "réseaux réseau")])
    forms, stems = index["forms"].split("\n"), index["stems"].split("\n")
    mapped = {form: stems[n] for form, n in zip(forms, decode_varints(index["formStems"]))}
    assert mapped == {"imprimantes": "imprim", "imprimante": "imprim", "ecrans": "ecran", "reseaux": "reseau",
                      "reseau": "reseau"}
    assert forms == sorted(forms) and stems == sorted(stems)


def test_english_index_has_english_words():
    files = build_search_index([SearchDocument("a/", "Printers", "article", "the printer")], "en")
    index = data_of(files.index, INDEX_GLOBAL)
    assert index["strings"]["placeholder"] == "Search" and index["lang"] == "en"
    assert postings(index, "printer") == {0: TITLE_FLAG | 1}
    assert "the" not in index["stems"].split("\n")


def test_bad_documents_and_languages_are_refused():
    with pytest.raises(ValueError):
        SearchDocument("/clients/a.html", "A", "client")
    with pytest.raises(ValueError):
        SearchDocument("https://example.org/a", "A", "client")
    with pytest.raises(ValueError):
        SearchDocument("a.html", "A", "page")
    with pytest.raises(ValueError):
        build_search_index([], "de")


def test_split_and_single_file_hold_the_same_snippets():
    documents = [SearchDocument("a/", "A", "article", "mot " * 100)]
    split, single = build_search_index(documents), build_search_index(documents, split=False)
    assert data_of(split.snippets, SNIPPETS_GLOBAL)["snippets"] == data_of(single.index, INDEX_GLOBAL)["snippets"]
    assert data_of(split.snippets, SNIPPETS_GLOBAL)["snippets"].endswith("…")


def test_strings_script_has_every_word_in_each_language():
    assert set(ui_strings("fr")) == set(ui_strings("en")) >= {"label", "placeholder", "none", "kind.client"}
    assert data_of(strings_script("en"), STRINGS_GLOBAL) == ui_strings("en")
    assert data_of(strings_script(), STRINGS_GLOBAL)["none"] == "Aucun résultat"
    with pytest.raises(ValueError):
        strings_script("de")


def test_script_attributes_are_escaped():
    attributes = script_attributes("fr", base='../"><script>', load="idle")
    assert 'data-base="../&quot;&gt;&lt;script&gt;"' in attributes
    assert 'data-placeholder="Rechercher"' in attributes and 'data-load="idle"' in attributes


@given(st.lists(st.integers(min_value=0, max_value=2**40)))
def test_varints_round_trip(values):
    assert decode_varints(encode_varints(values)) == values


@given(st.text())
def test_normalize_is_lowercase_decomposed_without_marks(text):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.lower())
    expected = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    assert normalize(text) == expected.replace("œ", "oe").replace("æ", "ae")


@given(st.text())
def test_any_text_indexes_and_stays_inside_its_script(text):
    files = build_search_index([SearchDocument("a.html", text, "client", text, keywords=(text,))])
    assert "<" not in files.index and "\u2028" not in files.index
    assert data_of(files.index, INDEX_GLOBAL)["docs"].count("\n") == 0


def test_search_js_reads_this_format():
    import re
    from pathlib import Path

    from scopekb.site.search_index import FORMAT_VERSION

    script = (Path(__file__).resolve().parents[1] / "site_templates" / "assets" / "search.js").read_text("utf-8")
    assert re.search(r"var FORMAT_VERSION = (\d+);", script).group(1) == str(FORMAT_VERSION)
    assert data_of(build_search_index([]).index, INDEX_GLOBAL)["version"] == FORMAT_VERSION
