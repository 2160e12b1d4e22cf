"""Maintainers' articles: front matter checked like contracts, `scopekb new article`, the JSON Schema."""
from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from scopekb.errors import InputError
from scopekb.kb.articles import front_matter, load_articles
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.schema import json_schema

REPO = Path(__file__).resolve().parent.parent


def scopekb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["scopekb", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "kb"
    assert scopekb("init", str(folder)).returncode == 0
    return folder


def write(root: Path, rel: str, text: str) -> None:
    path = root / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_example_articles_load_with_their_front_matter():
    kb = load_knowledge_base(REPO)
    articles = {a.source: a for a in load_articles(REPO, kb.provider)}
    network = articles["content/articles/poste-sans-acces-reseau.md"]
    assert (network.title, network.categories, network.level) == (
        "Le poste de travail n'accède plus au réseau", ("workstations", "lan"), "n1")
    assert network.audience == "internal" and "pas de réseau" in network.symptoms
    assert articles["content/articles/imprimante-reseau-hors-ligne.md"].audience == "public"


def test_front_matter_keeps_the_file_s_line_numbers():
    text = "---\ntitle: A\ncategories: [x]\n---\n# Body\n"
    assert front_matter(text).split("\n")[1:3] == ["title: A", "categories: [x]"]
    assert front_matter("# No front matter\n") is None
    assert front_matter("---\ntitle: never closed\n") is None


@pytest.mark.parametrize("text, line", [
    ("""\
        ---
        categories: [printers]
        ---
        """, "content/articles/bad.md:2: title: missing (expected a string)"),
    ("""\
        ---
        title: Bad
        categories: [printers, nope]
        ---
        """, "content/articles/bad.md:3: categories[1]: unknown category 'nope' (expected an id from the "
             "catalog: office-apps, workstations, printers, servers)"),
    ("""\
        ---
        title: Bad
        categories: [printers]
        audience: everyone
        ---
        """, "content/articles/bad.md:4: audience: 'everyone' is not allowed (expected one of internal, public)"),
    ("""\
        ---
        title: Bad
        categories: [printers]

        level: n3
        ---
        """, "content/articles/bad.md:5: level: 'n3' is not allowed (expected one of n1, n2)"),
    ("""\
        ---
        title: Bad
        categories: []
        ---
        """, "content/articles/bad.md:3: categories: empty list (expected a non-empty list of category ids)"),
    ("""\
        # Bad
        no front matter
        """, "content/articles/bad.md:1: document: no front matter (expected a first line '---', then at least "
             "title: and categories:, then a line '---')"),
    ("""\
        ---
        title: [unclosed
        categories: [printers]
        ---
        """, "content/articles/bad.md:2: title: YAML syntax error"),
])
def test_a_broken_article_is_one_line_with_file_line_and_key_and_exit_2(root, text, line):
    write(root, "articles/bad.md", text)
    result = scopekb("validate", "--root", str(root))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith(line), result.stderr
    assert "Traceback" not in result.stderr


def test_a_duplicate_title_names_both_files(root):
    write(root, "articles/a.md", "---\ntitle: Même titre\ncategories: [printers]\n---\n")
    write(root, "other/b.md", "---\ntitle: MÊME  titre\ncategories: [printers]\n---\n")
    result = scopekb("validate", "--root", str(root))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "content/other/b.md:2: title: 'MÊME  titre' is also the title of content/articles/a.md "
        "(expected a title of its own)"]


def test_a_broken_article_stops_the_build_and_keeps_the_previous_site(root):
    assert scopekb("build", "--root", str(root)).returncode == 0
    site = root / "site" / "internal"
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    write(root, "articles/bad.md", "---\ntitle: Bad\ncategories: [nope]\n---\n")
    result = scopekb("build", "--root", str(root))
    assert result.returncode == 2 and result.stderr.splitlines()[-1].startswith("content/articles/bad.md:3: ")
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before


def test_ticket_exports_are_not_articles(root):
    write(root, "tickets/export.md", "not an article\n")
    assert scopekb("validate", "--root", str(root)).returncode == 0


def test_new_article_writes_a_valid_skeleton_and_prints_its_path(root):
    result = scopekb("new", "article", "Scanner : « numérisation vers dossier » refusée", "--category", "printers",
                     "--category", "workstations", "--root", str(root))
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path == root / "content/articles/scanner-numerisation-vers-dossier-refusee.md"
    kb = load_knowledge_base(root)
    made = {a.source: a for a in load_articles(root, kb.provider)}[
        "content/articles/scanner-numerisation-vers-dossier-refusee.md"]
    assert made.title == "Scanner : « numérisation vers dossier » refusée"
    assert made.categories == ("printers", "workstations")
    assert "## Symptômes" in path.read_text(encoding="utf-8")
    again = scopekb("new", "article", "Scanner : « numérisation vers dossier » refusée", "--category", "printers",
                    "--root", str(root))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_new_article_documents_the_scenario_it_is_given(root):
    """The command of the site's "to document" page: the article's front matter names the scenario."""
    result = scopekb("new", "article", "Toner vide", "--category", "printers", "--scenario",
                     "printers-cartouche-toner-vide", "--root", str(root))
    assert result.returncode == 0, result.stderr
    made = {a.source: a for a in load_articles(root, load_knowledge_base(root).provider)}
    assert made["content/articles/toner-vide.md"].scenario == "printers-cartouche-toner-vide"
    bad = scopekb("new", "article", "Autre", "--category", "printers", "--scenario", "Pas un id", "--root", str(root))
    assert bad.returncode == 2 and bad.stderr.startswith("command line: --scenario: 'Pas un id' is not a scenario id")
    assert not (root / "content/articles/autre.md").exists()


def test_new_article_refuses_an_unknown_category(root):
    result = scopekb("new", "article", "Titre", "--category", "nope", "--root", str(root))
    assert result.returncode == 2
    assert result.stderr.startswith("command line: --category: unknown category 'nope'")
    assert not (root / "content/articles/titre.md").exists()


def test_the_article_json_schema_accepts_the_examples_and_rejects_bad_front_matter():
    schema = json_schema("article")
    for path in sorted((REPO / "content").rglob("*.md")):
        jsonschema.validate(yaml.safe_load(front_matter(path.read_text(encoding="utf-8"))), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"title": "x", "categories": ["printers"], "audience": "everyone"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"categories": ["printers"]}, schema)
    assert json.loads(scopekb("schema", "article").stdout) == schema


def test_load_articles_raises_every_problem_at_once(root):
    write(root, "articles/a.md", "---\ntitle: A\ncategories: [nope]\n---\n")
    write(root, "articles/b.md", "no front matter\n")
    with pytest.raises(InputError) as error:
        load_articles(root, load_knowledge_base(root).provider)
    assert [m.split(":")[0] for m in error.value.messages] == ["content/articles/a.md", "content/articles/b.md"]
