"""The words have one home: the catalogues generator/scopekb/words/fr.yaml and en.yaml.

Fails on a key used but missing in a language, on a key defined but used
nowhere, on a key built at run time from values of no declared source, on
French and English catalogues that differ in keys or in a sentence's
{fields}, and on Markdown in a sentence no template keeps as Markdown. Also
here: the call reception page says its sentences, the navigation titles the
folders scopekb knows in the site's language, and the command speaks the
knowledge base's language. "Used" is read from the sources, not from a run:

- string literals of generator/scopekb/**/*.py (Python's own parser);
- string constants of the templates site_templates/*.j2 (Jinja's parser);
- string literals of the scripts site_templates/assets/*.js, and the form
  labels checker.js reads as `labels.name` or `labels['a.b']` (`checker.` keys);
- keys built at run time (`f"verdict.{x}"`, `"status." + item.status`,
  `'kind.' + k`): each prefix met so is a family declared once in FAMILIES
  below with where its values come from, and stands for the keys of those
  values.

A literal counts as a key when it looks like one of a group the catalogue has
(`client.aliases`, not `client.html.j2` nor `checker.js`).
"""
from __future__ import annotations

import ast
import os
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import jinja2
import markdown
import pytest
from jinja2 import nodes
from markupsafe import Markup

from scopekb.kb.model import CATEGORY_KINDS, POLICIES, PROPOSALS, REQUEST_KINDS
from scopekb.site.context import NAV_SECTIONS
from scopekb.site.search_index import KINDS as SEARCH_KINDS
from scopekb.words import LANGUAGES, catalogue, message

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "generator" / "scopekb"
TEMPLATES = REPO / "site_templates"
KEY = re.compile(r"[a-z]+(\.[a-z0-9][a-z0-9-]*)+")
PREFIX = re.compile(r"[a-z]+(\.[a-z0-9][a-z0-9-]*)*\.")
FILE_NAME = re.compile(r".*\.(js|j2|css|json|md|yaml|html|py)")
# Dotted literals of a group's name that are no key: paths of keys in a contract file (kb/validate.py).
NOT_KEYS = {"client.name", "client.slug", "client.lang"}


# --- where the values of keys built at run time come from -------------------------------------------------

def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _strings(node: ast.AST | None) -> set[str]:
    return {node.value} if isinstance(node, ast.Constant) and isinstance(node.value, str) else set()


def verdicts() -> set[str]:
    """coverage/decide.py: the verdict every `Decision(...)` is made with, given or first put in `verdict`."""
    found = set()
    for node in ast.walk(_parse(PACKAGE / "coverage" / "decide.py")):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Decision":
            found |= _strings(node.args[0])
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple) and isinstance(node.value, ast.Tuple):
            found |= {value for target, given in zip(node.targets[0].elts, node.value.elts)
                      if getattr(target, "id", None) == "verdict" for value in _strings(given)}
    return found


def reason_codes() -> set[str]:
    """coverage/decide.py: the `code` (and sentence `key`, when another) given to the _Say methods that
    make a reason's sentence as f"reason.{key or code}"."""
    tree = _parse(PACKAGE / "coverage" / "decide.py")
    methods = {f.name: [a.arg for a in f.args.args[1:]] for f in ast.walk(tree)
               if isinstance(f, ast.FunctionDef) and "code" in [a.arg for a in f.args.args]}
    codes = set()
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "attr", None) in methods:
            bound = dict(zip(methods[call.func.attr], call.args)) | {k.arg: k.value for k in call.keywords}
            codes |= _strings(bound.get("code")) | _strings(bound.get("key"))
    return codes


def contract_statuses() -> set[str]:
    """kb/model.py: what `Contract.status` returns."""
    status = next(f for f in ast.walk(_parse(PACKAGE / "kb" / "model.py"))
                  if isinstance(f, ast.FunctionDef) and f.name == "status")
    return {value for r in ast.walk(status) if isinstance(r, ast.Return) for value in _strings(r.value)}


# Prefix of keys built at run time -> the values that complete it, each from where it is decided.
FAMILIES: dict[str, set[str]] = {
    "verdict.": verdicts(),
    "reason.": reason_codes(),
    "kind.": set(REQUEST_KINDS),                  # kb/model.py REQUEST_KINDS
    "status.": contract_statuses(),
    "client.policy.": set(POLICIES),              # kb/model.py POLICIES
    "client.propose.": set(PROPOSALS),            # kb/model.py PROPOSALS
    "action.propose.": set(PROPOSALS),
    "client.covered.": {"yes", "no", "ask"},      # site/pages.py asset_coverage: an asset's state
    "tree.": {"verdict", "team", "reason"},       # site/trees.py TreeHtml: a leaf's labels
    "nav.": set(NAV_SECTIONS),                    # site/context.py NAV_SECTIONS
    "category.kind.": set(CATEGORY_KINDS),        # kb/model.py CATEGORY_KINDS: a category's kind
    "search.kind.": set(SEARCH_KINDS),            # site/search_index.py KINDS: what a search hit is
}


# --- reading the sources ------------------------------------------------------------------------------------

class Uses:
    """What the sources ask of the catalogue: keys (-> where), prefixes of keys built at run time (-> where),
    and the keys whose Markdown a template keeps (`md(...)`)."""

    def __init__(self, groups: set[str]):
        self.groups = groups
        self.keys: dict[str, set[str]] = {}
        self.prefixes: dict[str, set[str]] = {}
        self.markdown: set[str] = set()

    def literal(self, text: str, where: str) -> None:
        if (KEY.fullmatch(text) and text.split(".")[0] in self.groups and not FILE_NAME.fullmatch(text)
                and text not in NOT_KEYS):
            self.keys.setdefault(text, set()).add(where)

    def prefix(self, text: str, where: str) -> None:
        if PREFIX.fullmatch(text) and text.split(".")[0] in self.groups:
            self.prefixes.setdefault(text, set()).add(where)

    def python(self, source: str, where: str) -> None:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                self.literal(node.value, where)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                self.prefix(node.values[0].value, where)  # f"verdict.{x}"
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant):
                self.prefix(str(node.left.value), where)  # "status." + x

    def template(self, source: str, where: str) -> None:
        tree = jinja2.Environment().parse(source)
        for const in tree.find_all(nodes.Const):
            if isinstance(const.value, str):
                self.literal(const.value, where)
        for node in tree.find_all((nodes.Add, nodes.Concat)):
            first = node.left if isinstance(node, nodes.Add) else node.nodes[0]
            if isinstance(first, nodes.Const) and isinstance(first.value, str):
                self.prefix(first.value, where)  # "status." + x, "status." ~ x
        for call in tree.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == "md" and isinstance(call.args[0], nodes.Const):
                self.markdown.add(call.args[0].value)

    def script(self, source: str, where: str) -> None:
        for match in re.finditer(r"""'((?:\\.|[^'\\\n])*)'|"((?:\\.|[^"\\\n])*)"(\s*\+)?""", source):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            self.literal(text, where)
        for match in re.finditer(r"""(['"])([a-z][a-z0-9.-]*\.)\1\s*\+""", source):
            self.prefix(match.group(2), where)  # 'reason.' + code
        # checker.js: its form's words are the catalogue's `checker.` entries, as data.labels (checker_data.py).
        for match in re.finditer(r"""\blabels(?:\.([A-Za-z_$][\w$]*)|\[\s*'([^']+)'\s*\])""", source):
            self.literal("checker." + (match.group(1) or match.group(2)), where)
        for match in re.finditer(r"""\brow\(\s*'[^']*'\s*,\s*'([^']+)'""", source):
            self.literal("checker." + match.group(1), where)  # show()'s row(name, key, value) reads labels[key]
        # search.js: its box's words are the catalogue's `search.` entries, as the index's strings
        # (site/search_index.py ui_strings), read by say("name") and say("kind." + kind).
        for match in re.finditer(r"""\bsay\(\s*"([a-z][a-z0-9.-]*)"\s*(\+)?""", source) if where.endswith("search.js") else ():
            (self.prefix if match.group(2) else self.literal)("search." + match.group(1), where)

    def expanded(self) -> dict[str, set[str]]:
        """Every key used, the families' keys included."""
        keys = {key: set(where) for key, where in self.keys.items()}
        for prefix, where in self.prefixes.items():
            for value in FAMILIES.get(prefix, ()):
                keys.setdefault(prefix + value, set()).update(where)
        return keys


def read_uses(groups: set[str]) -> Uses:
    uses = Uses(groups)
    for path in sorted(PACKAGE.rglob("*.py")):
        uses.python(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    for path in sorted(TEMPLATES.glob("*.j2")):
        uses.template(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    for path in sorted((TEMPLATES / "assets").glob("*.js")):
        uses.script(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    return uses


def groups_of(*catalogues: dict[str, str]) -> set[str]:
    return {key.split(".")[0] for table in catalogues for key in table}


@pytest.fixture(scope="module")
def uses() -> Uses:
    return read_uses(groups_of(*(catalogue(lang) for lang in LANGUAGES)))


def missing(uses: Uses, table: dict[str, str]) -> list[str]:
    return sorted(f"{key} (used in {', '.join(sorted(where))})"
                  for key, where in uses.expanded().items() if key not in table)


def unused(uses: Uses, table: dict[str, str]) -> list[str]:
    return sorted(set(table) - set(uses.expanded()))


# --- the tests ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_is_in_the_catalogue(uses, lang):
    absent = missing(uses, catalogue(lang))
    assert not absent, f"used but missing in words/{lang}.yaml: {absent}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_of_the_catalogue_is_used(uses, lang):
    idle = unused(uses, catalogue(lang))
    assert not idle, f"defined in words/{lang}.yaml but used nowhere: {idle}"


def test_every_key_built_at_run_time_has_a_declared_family(uses):
    undeclared = {prefix: sorted(where) for prefix, where in uses.prefixes.items() if prefix not in FAMILIES}
    assert undeclared == {}, "declare where the values of these keys come from in FAMILIES"
    assert set(FAMILIES) <= set(uses.prefixes), "FAMILIES declares prefixes nothing uses any more"
    assert all(FAMILIES.values()), "a family read from the sources came out empty: has the code moved?"


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_french_and_english_have_the_same_keys():
    fr, en = catalogue("fr"), catalogue("en")
    alone = sorted(set(fr) ^ set(en))
    assert not alone, f"keys in one language only: {alone}"
    assert all(isinstance(text, str) and text for table in (fr, en) for text in table.values())


def test_french_and_english_sentences_have_the_same_fields():
    fr, en = catalogue("fr"), catalogue("en")
    differ = [key for key in set(fr) & set(en) if fields(fr[key]) != fields(en[key])]
    assert not differ, f"fields ({{name}}) differ between the languages: {sorted(differ)}"


MARKDOWN = re.compile(r"\*\*|(^|\s)\*\S|\]\(|`")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_markdown_only_in_sentences_a_template_keeps_as_markdown(uses, lang):
    """Catalogue text becomes markup only through md(...) (SiteContext.markdown), and what md(...) shows
    is the sentence a Markdown page keeps as such: elsewhere its stars would show, or be escaped."""
    with_markdown = {key for key, text in catalogue(lang).items() if MARKDOWN.search(text)}
    plain = sorted(with_markdown - uses.markdown)
    assert not plain, f"Markdown in sentences that no template renders as Markdown: {plain}"


# --- the reading itself: it finds what it must, or the tests above could pass on nothing ---------------------

def test_the_reading_finds_keys_families_and_labels():
    uses = Uses({"client", "verdict", "status", "checker", "kind", "reason"})
    uses.python('say("client.aliases"); say(f"verdict.{v}"); open("client.html.j2"); x = "status." + s', "a.py")
    uses.template('{{ w["client.routing"] }}{{ t("status." + s) }}{{ md("client.unknown") }}', "b.j2")
    uses.script("labels.title; labels['asset.none']; row('team', 'team', x); text('reason.' + code); "
                "'checker.js'", "c.js")
    assert set(uses.keys) == {"client.aliases", "client.routing", "client.unknown", "checker.title",
                              "checker.asset.none", "checker.team"}
    assert set(uses.prefixes) == {"verdict.", "status.", "reason."}
    assert uses.markdown == {"client.unknown"}
    assert {"verdict.handle", "verdict.route", "reason.not-listed", "reason.no-match"} <= set(uses.expanded())
    assert missing(uses, {"client.aliases": "x"})[0].startswith("checker.asset.none (used in c.js)")
    assert unused(uses, {"client.aliases": "x", "client.nowhere": "y"}) == ["client.nowhere"]


# --- the call reception page speaks the catalogue ---------------------------------------------------------

def visible(markdown_text: str) -> str:
    """What a reader sees of a catalogue sentence with Markdown: no stars, the link's text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_text)
    return " ".join(text.replace("**", "").replace("*", "").split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_call_reception_page_says_its_catalogue_sentences(example_kb, lang):
    import html as html_lib

    from scopekb.site import pages

    page = pages.render_site(example_kb, lang=lang)[pages.CALL_PAGE]
    rendered = markdown.markdown(page, extensions=["attr_list", "md_in_html"])
    inline = re.sub(r"</?(strong|em|a)\b[^>]*>", "", rendered)
    shown = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", inline)).split())
    table = catalogue(lang)
    for key in [k for k in table if k.startswith("call.")] + ["form.title", "checker.verdict", "kind.change"]:
        assert visible(table[key].format(home=pages.HOME_PAGE)) in shown, key
    other = catalogue("en" if lang == "fr" else "fr")
    assert visible(other["call.intro"]) not in shown
    assert 'id="user-assistance-form"' in page and 'id="f-date"' in page and 'id="f-k-change"' in page


def test_markdown_sentences_escape_their_fields(example_kb):
    import datetime as dt

    from scopekb.site.context import SiteContext

    site = SiteContext(example_kb, "en", dt.date(2026, 1, 1), True)
    made = site.markdown("call.qualify-admissible", home="x) *bold* <b>")
    assert isinstance(made, Markup) and "*bold*" not in made and "<b>" not in made
    assert "](x\\) \\*bold\\* &lt;b&gt;)" in made
    assert "[find the client](index.md)" in site.markdown("call.qualify-admissible", home=Markup("index.md"))


@pytest.fixture(scope="module")
def example_kb(tmp_path_factory):
    import shutil

    from scopekb.kb.load import load_knowledge_base

    root = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO / "contracts", root / "contracts")
    return load_knowledge_base(root)


# --- the navigation's sections, in the site's language ------------------------------------------------------

def nav_labels(html_page: str) -> list[str]:
    nav = re.search(r'<nav class="md-nav md-nav--primary".*?<div class="md-sidebar md-sidebar--secondary"',
                    html_page, re.S).group(0)
    return [" ".join(label.split()) for label in re.findall(r'<span class="md-ellipsis">(.*?)</span>', nav, re.S)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_navigation_titles_the_folders_scopekb_knows_in_the_site_language(tmp_path, lang):
    """The example site, built by `mkdocs build` as in test_build.py, with a page in each folder scopekb knows
    and in a folder of the user's own, whose title stays MkDocs' ("Procedures")."""
    root = tmp_path / "kb"
    shutil.copytree(REPO / "contracts", root / "contracts")
    shutil.copytree(REPO / "content", root / "content")
    for folder in ("scenarios", "categories", "procedures"):
        (root / "content" / folder).mkdir()
        article = (root / "content" / "articles" / "outlook-ne-demarre-plus.md").read_text(encoding="utf-8")
        (root / "content" / folder / "x.md").write_text(article.replace("Outlook", folder), encoding="utf-8")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", "")
    (root / "mkdocs.yml").write_text(config.replace("  language: fr\n", f"  language: {lang}\n"), encoding="utf-8")
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml"),
                            "-d", str(tmp_path / "site")], capture_output=True, text=True, timeout=600,
                           env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert built.returncode == 0, built.stderr
    labels = nav_labels((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    for folder in NAV_SECTIONS:
        title = message(lang, f"nav.{folder}")
        assert title in labels and (title == folder.capitalize() or folder.capitalize() not in labels), labels
    assert "Procedures" in labels, labels
    assert message(lang, "call.title") in labels and message(lang, "home.title") in labels, labels


# --- what the command says: in the knowledge base's language --------------------------------------------------

def test_every_stage_of_a_build_has_its_words():
    """publish/build.py and client_sites.py name their stages in show("..."): the command shows each in the
    catalogue's words."""
    from scopekb.cli import BUILD_STAGES

    shown = {value for module in ("build.py", "client_sites.py") for call in ast.walk(_parse(PACKAGE / "publish" / module))
             if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "show" for value in _strings(call.args[0])}
    assert shown and shown == set(BUILD_STAGES), shown


@pytest.mark.parametrize("config, lang", [
    (None, "fr"),
    ("theme:\n  name: material\n  language: en\n", "en"),
    ("theme:\n  language: en-GB\nplugins:\n  - search\n  - scopekb\n", "en"),
    ("theme:\n  language: de\n", "fr"),
    ("theme:\n  language: fr\nplugins:\n  - scopekb:\n      language: en\n", "en"),
    ("theme: {language: en}\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: "
     "!!python/name:material.extensions.emoji.twemoji\nextra:\n  x: !ENV [HOME, 'y']\n", "en"),
    ("theme: [unclosed\n", "fr"),
])
def test_the_command_speaks_the_language_of_the_knowledge_base(tmp_path, config, lang):
    from click.testing import CliRunner

    from scopekb.cli import cli, kb_language

    if config is not None:
        (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    assert kb_language(tmp_path) == lang
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    result = CliRunner().invoke(cli, ["validate", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output == message(lang, "cli.validated", contracts=9, clients=8, categories=10, teams=6,
                                    articles=0) + "\n"
