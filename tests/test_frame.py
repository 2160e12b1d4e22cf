"""plugin_frame: client pages made from the theme's frame are the pages the theme makes, byte for byte.

Each test builds a site twice, in this process: as scopekb does, then with
the frame refused, so that the theme renders every client page in full.
"""
from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from mkdocs.structure.toc import AnchorLink, TableOfContents

from test_build import SLUGS, make_root, snapshot

from scopekb.mkdocs_plugin import frame as plugin_frame
from scopekb.site import context
from scopekb.publish.build import build_site

ODD_CLIENT = """\
id: CTR-ODD
client:
  name: 'Café <b>&amp;</b> "Fils" *x* [a](b) {{ y }} Zqx'
  slug: odd
  aliases: ["<i>odd</i>"]
signed: 2025-01-01
services: [incident]
scope:
  - category: office-apps
    level: n1
equipment:
  policy: all
  items: []
"""


def count_page_renders(monkeypatch) -> list[str]:
    """The URLs of the pages the theme's page template renders in full, in order."""
    rendered: list[str] = []
    render_template = jinja2.Template.render

    def counted(template, *args, **kwargs):
        if template.name == plugin_frame.PAGE_TEMPLATE:
            rendered.append(args[0]["page"].url)
        return render_template(template, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counted)
    return rendered


def both_ways(root: Path, monkeypatch) -> tuple[dict, dict, list[str]]:
    """The site as built with the frame, as built without, and the pages rendered in full with the frame."""
    site = root / "site" / "internal"
    rendered = count_page_renders(monkeypatch)
    build_site(root)
    framed, full_renders = snapshot(site), list(rendered)
    with monkeypatch.context() as refused:
        refused.setattr(plugin_frame, "frame_parts", lambda framed, toc: None)
        build_site(root)
    return framed, snapshot(site), full_renders


def configure(root: Path, old: str, new: str) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


SETTINGS = {
    "as in the repository": [],
    "English, site_url, repo_url, edit_uri": [
        ("  language: fr\n", "  language: en\n"),
        ("site_name:", "site_url: https://kb.example.org/helpdesk/\nrepo_url: https://git.example.org/kb\n"
                       "edit_uri: edit/main/content/\nsite_name:")],
    "features, feedback, copyright": [
        ("  font: false", "  font: false\n  features: [navigation.path, navigation.tabs, toc.follow, header.autohide]"),
        ("site_name:", "copyright: '© Infogest & <b>co</b>'\nextra:\n  analytics:\n    feedback:\n"
                       "      title: Utile ?\n      ratings: [{icon: material/thumb-up, name: Oui, data: 1, "
                       "note: Merci}]\nsite_name:")],
    "toc.integrate, no directory URLs": [
        ("  font: false", "  font: false\n  features: [toc.integrate]"),
        ("site_name:", "use_directory_urls: false\nsite_name:")],
}


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_framed_pages_are_the_pages_the_theme_makes(tmp_path, monkeypatch, settings):
    root = make_root(tmp_path / "kb")
    (root / "contracts" / "odd.yaml").write_text(ODD_CLIENT, encoding="utf-8")
    for old, new in settings:
        configure(root, old, new)
    framed, full, full_renders = both_ways(root, monkeypatch)
    assert framed == full
    clients = [context.client_html(slug) for slug in [*SLUGS, "odd"]]
    assert all(page in framed for page in clients)
    # The theme rendered one client page in full and its stand-in twice; every other client page is framed.
    assert sum(url.startswith("clients/") for url in full_renders) == 3, full_renders
    assert b"Caf\xc3\xa9 &lt;b&gt;&amp;amp;&lt;/b&gt;" in framed[context.client_html("odd")]


def test_a_theme_override_reading_more_of_the_page_gets_every_page_rendered(tmp_path, monkeypatch):
    root = make_root(tmp_path / "kb")
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}{% block footer %}'
        '{% if page %}<p>{{ page.file.src_uri | upper }}</p>{% endif %}{% endblock %}', encoding="utf-8")
    configure(root, "  font: false", "  font: false\n  custom_dir: overrides")
    framed, full, full_renders = both_ways(root, monkeypatch)
    assert framed == full
    for slug in SLUGS:
        assert f"<p>CLIENTS/{slug.upper()}.MD</p>".encode() in framed[context.client_html(slug)]
    # The first page and its stand-in (twice), then every other page: the stand-in's source path shows
    # in a way the frame does not know.
    assert sum(url.startswith("clients/") for url in full_renders) == len(SLUGS) + 2


def test_a_theme_that_shows_the_build_time_gets_every_page_rendered(tmp_path, monkeypatch):
    root = make_root(tmp_path / "kb")
    (root / "overrides").mkdir()
    (root / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}{% block footer %}<p>{{ build_date_utc }}</p>{% endblock %}', encoding="utf-8")
    configure(root, "  font: false", "  font: false\n  custom_dir: overrides")
    rendered = count_page_renders(monkeypatch)
    build_site(root)
    assert sum(url.startswith("clients/") for url in rendered) == len(SLUGS) + 2  # the stand-in, at two times


def test_the_frame_is_cut_where_the_stand_in_shows():
    toc = '<nav><a href="#zqxsection">Zqxsection</a></nav>'
    template = ("<title>{striptags} - site</title><a href='#{anchor}'>skip</a>{toc}"
                "<h2>{title}</h2><link href='https://x/clients/{slug}.html'><main>{content}</main>")
    stand_in = template.format(striptags="Zqxtitle &amp; x", anchor=plugin_frame.ANCHOR, toc=toc,
                               title=plugin_frame.TITLE, slug=plugin_frame.SLUG, content=plugin_frame.CONTENT)
    parts = plugin_frame.frame_parts(stand_in, toc)
    assert parts[1::2] == ["title|striptags", "anchor", "toc", "title", "slug", "content"]
    assert parts[::2] == ["<title>", " - site</title><a href='", "'>skip</a>", "<h2>", "</h2><link href='https://x/clients/",
                          ".html'><main>", "</main>"]
    # A marker shown in a way not known here: no frame.
    assert plugin_frame.frame_parts(stand_in.replace("Zqxtitle &amp; x", "ZQXTITLE &amp; X"), toc) is None
    assert plugin_frame.frame_parts(stand_in + toc, toc) is None  # the table of contents twice
    assert plugin_frame.frame_parts(stand_in.replace(toc, ""), toc)[1::2] == [  # none: Material's toc.integrate
        "title|striptags", "anchor", "title", "slug", "content"]


def test_a_page_unlike_the_first_is_rendered_in_full(tmp_path, monkeypatch):
    """A hook gives one client page metadata of its own: the theme renders that page in full."""
    root = make_root(tmp_path / "kb")
    (root / "hooks.py").write_text(
        "def on_page_context(context, page, config, nav):\n"
        f"    if page.url == {context.client_html(SLUGS[3])!r}:\n"
        "        page.meta['description'] = 'Described <here>'\n"
        "    return context\n", encoding="utf-8")
    configure(root, "site_name:", "hooks: [hooks.py]\nsite_name:")
    framed, full, full_renders = both_ways(root, monkeypatch)
    assert framed == full
    assert b'<meta name="description" content="Described <here>">' in framed[context.client_html(SLUGS[3])]
    assert [url for url in full_renders if url.startswith("clients/")][3:] == [context.client_html(SLUGS[3])]


class CountedTemplate:
    """A stand-in for Material's table of contents partial: titles as they are and without tags, URLs."""

    def __init__(self):
        self.template = jinja2.Environment().from_string(
            "{% for item in page.toc %}<a href='{{ item.url }}' aria-label='{{ item.title | striptags | e }}'>"
            "{{ item.title }}</a>[{% for child in item.children %}<a href='{{ child.url }}'>{{ child.title }}</a>"
            "{% endfor %}]{% endfor %}")
        self.renders = 0

    def render(self, values):
        self.renders += 1
        return self.template.render(values)


def toc_page(*entries):
    """A page whose table of contents has these (title, url, children) entries."""
    def link(title, url, children=(), level=2):
        item = AnchorLink(title, url.lstrip("#"), level)
        item.children = [link(*child, level=level + 1) for child in children]
        return item
    return plugin_frame._PageWithToc(TableOfContents([link(*entry) for entry in entries]))


def test_a_table_of_contents_is_rendered_once_per_shape_then_filled_in():
    partial = CountedTemplate()
    tocs = plugin_frame.TocFrames(partial)
    pages = [toc_page(("Vérifier", "#check"), ("Contrats", "#contracts", [("CTR-1", "#ctr-1")])),
             toc_page(("A &amp; <b>b</b>", "#a"), ("Zqx {{ y }}", "#z", [("C&lt;2", "#c2")])),
             toc_page(("Vérifier", "#check"), ("Contrats", "#contracts", [("CTR-1", "#ctr-1"), ("CTR-2", "#ctr-2")])),
             toc_page(("x", "#x"), ("y", "#y", [("<i>1</i>", "#1"), ("2", "#2")]))]
    for page in pages:
        assert tocs.render({"page": page}, page) == partial.template.render({"page": page})
    assert partial.renders == 2 * 2  # per shape: the first page's, then the stand-in's


def test_a_table_of_contents_the_frame_does_not_fit_is_rendered_each_time():
    partial = CountedTemplate()
    partial.template = jinja2.Environment().from_string("{{ page.toc | length }}{{ (page.toc | first).title | upper }}")
    tocs = plugin_frame.TocFrames(partial)
    pages = [toc_page(("a", "#a")), toc_page(("b", "#b"))]
    assert [tocs.render({"page": page}, page) for page in pages] == ["1A", "1B"]
    assert partial.renders == 3  # the first page, the stand-in (which did not fit), the second page
