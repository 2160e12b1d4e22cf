"""render_client_search: a client page's search sections, from its data, are those Material's parser reads."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from material.plugins.search.plugin import Parser

from kb_builder import build_kb
from test_properties import contracts, providers
from test_render import EVIL_CONTRACT

from scopekb.site import pages as render
from scopekb.site import context
from scopekb.kb.model import slugify
from scopekb.kb.load import load_knowledge_base
from scopekb.mkdocs_plugin.client_search import client_sections
from scopekb.kb.validate import assemble

REPO = Path(__file__).resolve().parents[1]
DAY = dt.date(2025, 6, 1)


def title_heading(client) -> str:
    """The title's heading as MkDocs writes it above the page's HTML."""
    anchor = slugify(client.name) or "title"
    return (f'<h1 id="{anchor}">{context.escape(client.name)}<a class="headerlink" href="#{anchor}" '
            f'title="Permanent link">&para;</a></h1>')


def read_by_material(html: str) -> list[tuple]:
    """What Material's search keeps of each section of `html`: anchor, title, text."""
    parser = Parser()
    parser.feed(html)
    parser.close()
    return [(s.id, "".join(s.title).strip(), "".join(s.text).strip()) for s in parser.data if not s.is_excluded()]


def written(sections: list[tuple]) -> list[tuple]:
    return [(anchor, "".join(title).strip(), "".join(text).strip()) for _, _, anchor, title, text in sections]


def assert_same_sections(kb, lang: str) -> int:
    site = context.SiteContext(kb, lang, DAY, True)
    for client in kb.clients.values():
        view = render.client_view(site, client)
        heading = title_heading(client)
        html = f"{heading}\n{render.client_body(site, client, view)}"
        assert written(client_sections(view, heading)) == read_by_material(html), (lang, client.slug)
    return len(kb.clients)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_same_sections_as_materials_parser_for_the_example(lang):
    assert assert_same_sections(load_knowledge_base(REPO), lang) == 8


def test_same_sections_with_markup_in_the_data(tmp_path):
    assert assert_same_sections(build_kb(tmp_path, EVIL_CONTRACT), "fr") == 1


def test_a_heading_that_is_not_one_section_is_left_to_the_html():
    kb = load_knowledge_base(REPO)
    client = next(iter(kb.clients.values()))
    view = render.client_view(context.SiteContext(kb, "fr", DAY, True), client)
    assert client_sections(view, "<h2>no id</h2><h3 id='a'>two</h3>") is None


# Texts as data may hold them: runs of spaces, line breaks, tabs, no-break spaces, markup, entities.
TEXTS = st.lists(st.sampled_from(["a", "é", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "&", "&amp;", "<b>", "x y"]),
                 min_size=1, max_size=6).map("".join)


@st.composite
def knowledge_bases_with_texts(draw):
    provider = draw(providers())
    drawn = []
    for index in draw(st.lists(st.integers(1, 99), unique=True, min_size=1, max_size=3)):
        contract = draw(contracts(provider, index))
        scope = tuple(dataclasses.replace(entry, items=tuple(draw(st.lists(TEXTS, max_size=2))))
                      for entry in contract.scope)
        equipment = tuple(dataclasses.replace(asset, model=draw(st.one_of(st.just(""), TEXTS)))
                          for asset in contract.equipment)
        drawn.append(dataclasses.replace(contract, scope=scope, equipment=equipment,
                                         public_notes=draw(st.one_of(st.just(""), TEXTS)),
                                         internal_notes=draw(st.one_of(st.just(""), TEXTS)),
                                         source=draw(st.sampled_from(["", contract.source]))))
    return assemble(provider, drawn)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(knowledge_bases_with_texts(), st.sampled_from(["fr", "en"]))
def test_same_sections_for_generated_knowledge_bases(kb, lang):
    assert assert_same_sections(kb, lang) >= 1
