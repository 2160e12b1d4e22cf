"""Names that become paths, anchors and URLs: nothing is written outside the output folder or over another page.

A client's slug names its pages (clients/SLUG.html, arbres/SLUG.html), a category's id its page, a
contract's id its anchor on the client page, an article's file name its page. Each is tried here with
what could escape or collide: `..`, `/`, `\\`, NUL, empty, reserved names (index, con, assets, 404...),
names with no letter to make a slug of, two names that make one slug, ids that make one anchor.
Every run compares the files of the knowledge-base folder before and after: a command may write only its
output (site/, .scopekb-cache/, the folder given to render, the article it creates).
"""
from __future__ import annotations

import html
import html.parser
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from kb_builder import PROVIDER, mkdocs_yml, write_kb
from scopekb.kb.load import load_knowledge_base
from scopekb.site.pages import read_finder_script

ERROR_LINE = re.compile(r"^contracts/[^:]+\.yaml:\d+: [\w.\[\]]+: .+ \(expected .+\)$")
MKDOCS = mkdocs_yml("Paths", "[attr_list, md_in_html, admonition, tables, {toc: {permalink: true}}]")


def scopekb(root: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import sys; from scopekb.cli import main; sys.argv[0] = 'scopekb'; main()",
               *args, "--root", str(root)]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))


def contract(ident: str, name: str, slug: str | None = None, extra: str = "") -> str:
    slug_line = f"\n  slug: {json.dumps(slug, ensure_ascii=False)}" if slug is not None else ""
    return f"""\
id: {json.dumps(ident, ensure_ascii=False)}
client:
  name: {json.dumps(name, ensure_ascii=False)}{slug_line}
signed: 2025-01-01
services: [incident]
scope:
  - {{category: printers, level: n1}}
{extra}"""


def make_kb(root: Path, contracts: dict[str, str], provider: str = PROVIDER) -> Path:
    write_kb(root, contracts, provider)
    (root / "content").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    return root


def files_of(folder: Path) -> dict[str, int]:
    """Every file under `folder` (links not followed), with the time it was last written."""
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def written_elsewhere(root: Path, before: dict[str, int], allowed: tuple[str, ...] = ("site/", ".scopekb-cache/")
                      ) -> list[str]:
    """Files under `root` created or changed since `before`, but those under the `allowed` folders."""
    return sorted(rel for rel, mtime in files_of(root).items() if before.get(rel) != mtime and not rel.startswith(allowed))


class Ids(html.parser.HTMLParser):
    """The id attributes of a page, its in-page links, and any attribute naming an event handler."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.fragments: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id":
                self.ids.append(value)
            if key == "href" and value and value.startswith("#") and len(value) > 1:
                self.fragments.append(value[1:])
            if key.startswith("on"):
                self.handlers.append(f"{tag} {key}")


def parsed(path: Path) -> Ids:
    page = Ids()
    page.feed(path.read_text(encoding="utf-8"))
    return page


# ------------------------------------------------------------------------------------------------ slugs

BAD_SLUGS = ["../evil", "..", ".", "a/b", "/etc/passwd", "a\\b", "a\0b", "", " ", "index.html", "A", "a--b", "-a",
             "a-", "é", "a b", "con:", "*"]


@pytest.mark.parametrize("slug", BAD_SLUGS, ids=[repr(s) for s in BAD_SLUGS])
def test_a_slug_that_is_no_slug_is_one_error_line_and_writes_nothing(tmp_path, slug):
    root = make_kb(tmp_path / "kb", {"c.yaml": contract("CTR-1", "Alpha", slug)})
    before = files_of(tmp_path)
    for command in ("validate", "build"):
        done = scopekb(root, command)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        lines = done.stderr.strip().splitlines()
        assert [line for line in lines if ERROR_LINE.match(line)] == [lines[-1]], lines
        assert lines[-1].startswith("contracts/c.yaml:4: client.slug: "), lines
    assert written_elsewhere(tmp_path, before, allowed=("kb/.scopekb-cache/",)) == []
    assert not (root / "site").exists()


RESERVED = ["index", "con", "nul", "aux", "prn", "com1", "lpt1", "assets", "404", "sitemap", "search", "clients",
            "arbres", "categories", "accueil-appel", "articles", "0"]


def test_reserved_names_as_slugs_and_category_ids_each_get_their_own_page(tmp_path):
    provider = PROVIDER.replace("  printers:\n", "  index:\n    label: Catégorie index\n    kind: service\n"
                                "  assets:\n    label: Catégorie assets\n    kind: service\n  printers:\n")
    extra = "  - {category: index, level: n1}\n  - {category: assets, level: n1}\n"
    contracts = {f"{slug}.yaml": contract(f"CTR-{slug}", f"Client {slug}", slug, extra) for slug in RESERVED}
    root = make_kb(tmp_path / "kb", contracts, provider)
    before = files_of(tmp_path)
    done = scopekb(root, "build")
    assert done.returncode == 0, done.stderr
    assert written_elsewhere(tmp_path, before, allowed=("kb/site/", "kb/.scopekb-cache/")) == []
    site = root / "site" / "internal"
    for slug in RESERVED:
        for page in (f"clients/{slug}.html", f"arbres/{slug}.html"):
            text = (site / page).read_text(encoding="utf-8")
            assert f"Client {slug}" in text and f'data-client="{slug}"' in text or page.startswith("arbres"), page
    # the pages scopekb and the theme make are still theirs
    assert 'id="scopekb-finder"' in (site / "index.html").read_text(encoding="utf-8")
    assert "Catégorie index" in (site / "categories" / "index.html").read_text(encoding="utf-8")
    assert "Catégorie assets" in (site / "categories" / "assets" / "index.html").read_text(encoding="utf-8")
    assert (site / "assets" / "scopekb" / "finder.js").is_file()
    # every link of a client page to a category page leads to that category's page
    page = (site / "clients" / "index.html").read_text(encoding="utf-8")
    for target in re.findall(r'href="(\.\./categories/[^"]*)"', page):
        resolved = (site / "clients" / target).resolve()
        assert (resolved / "index.html" if target.endswith("/") else resolved).is_file(), target
    finder = read_finder_script((site / "assets" / "scopekb" / "finder-index.js").read_text(encoding="utf-8"))
    assert sorted(c[0] for c in finder["clients"]) == sorted(f"Client {slug}" for slug in RESERVED)


def test_render_writes_only_into_its_folder(tmp_path):
    contracts = {f"{slug}.yaml": contract(f"CTR-{slug}", f"Client {slug}", slug) for slug in ("index", "con")}
    root = make_kb(tmp_path / "kb", contracts)
    before = files_of(tmp_path)
    done = scopekb(root, "render", "--audience", "internal", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    # `out` is a link to the complete folder beside it, swapped in at once (publish.swap)
    assert written_elsewhere(tmp_path, before, allowed=(".out-", "kb/.scopekb-cache/")) == []
    assert (tmp_path / "out" / "clients" / "index.md").is_file() and (tmp_path / "out" / "index.md").is_file()


# ------------------------------------------------------------------------------------------------ names

NO_SLUG_NAMES = ["东方科技", "!!!", "Полярная звезда", "—", "...", "&", "\u202e"]


@pytest.mark.parametrize("name", NO_SLUG_NAMES)
def test_a_name_with_no_letter_to_make_a_slug_of_asks_for_client_slug(tmp_path, name):
    """Such names all gave the slug "": one client for all of them, a page at the hidden clients/.html."""
    root = make_kb(tmp_path / "kb", {"a.yaml": contract("CTR-1", name), "b.yaml": contract("CTR-2", name + "!")})
    before = files_of(tmp_path)
    for command in ("validate", "build"):
        done = scopekb(root, command)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        lines = done.stderr.strip().splitlines()[-2:]
        for line, (rel, wrong) in zip(lines, (("a", name), ("b", name + "!"))):
            assert line == (f"contracts/{rel}.yaml:3: client.name: '{wrong}' has no letter a-z or digit to make "
                            "the client's slug of (expected a client.slug such as dongfang-keji: lower case, "
                            "digits, single dashes)"), lines
    assert written_elsewhere(tmp_path, before, allowed=("kb/site/", "kb/.scopekb-cache/")) == []


def test_a_name_in_another_script_with_a_slug_is_a_client_of_its_own(tmp_path):
    root = make_kb(tmp_path / "kb", {
        "a.yaml": contract("CTR-1", "东方科技", "dongfang-keji"),
        "b.yaml": contract("CTR-2", "Полярная звезда", "polyarnaya-zvezda"),
    })
    kb = load_knowledge_base(root, use_cache=False)
    assert sorted(kb.clients) == ["dongfang-keji", "polyarnaya-zvezda"]
    done = scopekb(root, "check", "dongfang-keji", "--json")
    assert json.loads(done.stdout)["client"] == "dongfang-keji"
    assert scopekb(root, "build").returncode == 0
    page = (root / "site" / "internal" / "clients" / "dongfang-keji.html").read_text(encoding="utf-8")
    assert "东方科技" in page


def test_contracts_whose_names_make_one_slug_are_one_client_shown_with_both_names(tmp_path):
    """The spec: contracts whose slugs are equal belong to one client. Both names find it, in `check` and in
    the finder, and its page names each contract's client as the contract does."""
    root = make_kb(tmp_path / "kb", {
        "a.yaml": contract("CTR-1", "Dupont & Fils"), "b.yaml": contract("CTR-2", "Dupont-Fils"),
        "c.yaml": contract("CTR-3", "Établissements Martin", "martin"),
        "d.yaml": contract("CTR-4", "Martin SA", "martin"),
    })
    assert scopekb(root, "validate").returncode == 0
    kb = load_knowledge_base(root, use_cache=False)
    assert {slug: [c.id for c in client.contracts] for slug, client in kb.clients.items()} == {
        "dupont-fils": ["CTR-1", "CTR-2"], "martin": ["CTR-3", "CTR-4"]}
    for name, slug in (("Dupont & Fils", "dupont-fils"), ("dupont fils", "dupont-fils"),
                       ("Établissements Martin", "martin"), ("Martin SA", "martin")):
        assert json.loads(scopekb(root, "check", name, "--json").stdout)["client"] == slug, name
    assert scopekb(root, "build").returncode == 0
    site = root / "site" / "internal"
    page = (site / "clients" / "martin.html").read_text(encoding="utf-8")
    assert "CTR-3" in page and "CTR-4" in page
    assert "Établissements Martin (client)" in page and "Martin SA (client)" in page
    finder = read_finder_script((site / "assets" / "scopekb" / "finder-index.js").read_text(encoding="utf-8"))
    terms = {c[0]: c[2].split("|") for c in finder["clients"]}
    assert "martin sa" in terms["Établissements Martin"]


# ------------------------------------------------------------------------------------------------ anchors

def test_contract_ids_that_make_one_anchor_get_distinct_ones(tmp_path):
    ids = ["CTR 1", "ctr-1", "CTR_1", "Teams", "articles", "!!!", "???", "scopekb-checker", "CTR-1-perimeter",
           "../x", "#top"]
    contracts = {f"c{n}.yaml": contract(ident, "Alpha") for n, ident in enumerate(ids)}
    root = make_kb(tmp_path / "kb", contracts)
    before = files_of(tmp_path)
    done = scopekb(root, "build")
    assert done.returncode == 0, done.stderr
    assert written_elsewhere(tmp_path, before, allowed=("kb/site/", "kb/.scopekb-cache/")) == []
    page = parsed(root / "site" / "internal" / "clients" / "alpha.html")
    duplicates = sorted({i for i in page.ids if page.ids.count(i) > 1})
    assert duplicates == []
    assert sorted(set(page.fragments) - set(page.ids)) == []  # every in-page link leads somewhere
    assert page.handlers == []


def test_asset_ids_like_paths_stay_text(tmp_path):
    assets = ["../../etc/passwd", "a/b", "a\\b", "con", "#frag", "?q=1", "%2e%2e%2f"]
    extra = "equipment:\n  items:\n" + "".join(
        f"    - {{id: {json.dumps(a)}, category: printers, model: M{n}}}\n" for n, a in enumerate(assets))
    root = make_kb(tmp_path / "kb", {"a.yaml": contract("CTR-1", "Alpha", extra=extra)})
    before = files_of(tmp_path)
    assert scopekb(root, "build").returncode == 0
    assert written_elsewhere(tmp_path, before, allowed=("kb/site/", "kb/.scopekb-cache/")) == []
    text = (root / "site" / "internal" / "clients" / "alpha.html").read_text(encoding="utf-8")
    for asset in assets:
        assert f"<td>{asset}</td>" in text
    assert json.loads(scopekb(root, "check", "Alpha", "--asset", "../../etc/passwd", "--json").stdout)[
        "verdict"] == "handle"


# ------------------------------------------------------------------------------------------------ articles

ARTICLE_NAMES = ['x" onmouseover="alert(1)', "<b>bold<", "a\\b", "index", "con", "a b#c?d", "..x", "%2e%2e"]


def test_article_file_names_make_pages_inside_the_site(tmp_path):
    root = make_kb(tmp_path / "kb", {"a.yaml": contract("CTR-1", "Alpha")})
    for n, name in enumerate(ARTICLE_NAMES):
        (root / "content" / "articles").mkdir(exist_ok=True)
        (root / "content" / "articles" / f"{name}.md").write_text(
            f"---\ntitle: Article {n}\ncategories: [printers]\n---\n\nTexte {n}.\n", encoding="utf-8")
    before = files_of(tmp_path)
    done = scopekb(root, "build")
    assert done.returncode == 0, done.stderr
    assert written_elsewhere(tmp_path, before, allowed=("kb/site/", "kb/.scopekb-cache/")) == []
    site = root / "site" / "internal"
    category = site / "categories" / "printers" / "index.html"
    page = parsed(category)
    assert page.handlers == []
    links = re.findall(r'<li><a href="([^"]*)">Article (\d+)</a></li>', category.read_text(encoding="utf-8"))
    # every article but `..x.md`, whose name begins with a dot: hidden, for scopekb as for MkDocs
    assert sorted(int(n) for _, n in links) == [n for n, name in enumerate(ARTICLE_NAMES) if name != "..x"]
    assert not (site / "articles" / "..x").exists()
    # the links are MkDocs' own URLs of those pages (its navigation's), quoted: `a b#c?d` is no fragment,
    # `%2e%2e` no way up, `a\\b` no folder
    nav = re.findall(r'<a href="(articles/[^"]*)" class="md-nav__link">', (site / "index.html").read_text("utf-8"))
    assert sorted(href for href, _ in links) == sorted(f"../../{href}" for href in nav)
    for href, n in links:
        url = urlsplit(urljoin("http://site/categories/printers/", html.unescape(href)))
        assert not url.fragment and not url.query, href
        target = site / unquote(url.path).lstrip("/") / "index.html"
        assert target.resolve().is_relative_to(site.resolve()), href
        assert f"Texte {n}." in target.read_text(encoding="utf-8"), href


@pytest.mark.parametrize("title", ["../../../etc/passwd", "..", "/", "con", "index", "\\..\\..\\x", "<script>"])
def test_new_article_writes_under_content_articles_only(tmp_path, title):
    root = make_kb(tmp_path / "kb", {"a.yaml": contract("CTR-1", "Alpha")})
    before = files_of(tmp_path)
    done = scopekb(root, "new", "article", title, "--category", "printers")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert written_elsewhere(tmp_path, before, allowed=("kb/content/articles/", "kb/.scopekb-cache/")) == []
    assert len(list((root / "content" / "articles").glob("*.md"))) == 1
