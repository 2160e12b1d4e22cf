"""Building the site: the MkDocs plugin under `mkdocs build`, and `scopekb build`, `serve` and `render`.

Every test works on a copy of the repository's example (mkdocs.yml,
contracts/, content/) in a temporary folder, as a user's knowledge base.
"""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from scopekb.mkdocs_plugin import plugin
from scopekb.site import pages as render
from scopekb.site import context
from scopekb.publish.build import build_site
from scopekb.mkdocs_plugin.worker import BuildWorker
from scopekb.mkdocs_plugin.plugin import site_language

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
SLUGS = ["cabinet-dupont-associes", "clinique-veterinaire-des-chataigniers", "coop-val-de-loire",
         "editions-marchand-cie", "garage-rousseau-freres", "hotel-le-belvedere", "menuiserie-berard-fils",
         "office-notarial-garnier-roux"]


def make_root(folder: Path, language: str | None = None) -> Path:
    """A knowledge-base folder like the repository: mkdocs.yml, contracts/, content/."""
    shutil.copytree(REPO / "contracts", folder / "contracts")
    shutil.copytree(REPO / "content", folder / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", "")
    if language:
        config = config.replace("  language: fr\n", f"  language: {language}\n")
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


def run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The example site built by plain `mkdocs build` into a folder of the test's choosing."""
    root = make_root(tmp_path_factory.mktemp("kb"))
    content_before = snapshot(root / "content")
    site = root.parent / "out"
    result = run(sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), "-d", str(site))
    assert result.returncode == 0, result.stderr
    assert snapshot(root / "content") == content_before  # nothing written into docs_dir
    return site


def test_mkdocs_build_makes_every_page(built):
    for slug in SLUGS:
        page = (built / context.client_html(slug)).read_text(encoding="utf-8")
        assert f'data-client="{slug}"' in page and 'id="scopekb-checker-data"' in page
        tree = (built / context.tree_html(slug)).read_text(encoding="utf-8")
        assert 'class="md-header' in tree  # a page of the themed site, like every other
        assert 'class="scopekb-question"' in tree and 'class="scopekb-leaf ' in tree
    home = (built / "index.html").read_text(encoding="utf-8")
    assert 'id="scopekb-finder-input"' in home and 'class="scopekb-overview"' in home
    call_page = html.unescape((built / "accueil-appel" / "index.html").read_text(encoding="utf-8"))
    assert "FICHE D'ASSISTANCE UTILISATEUR" in call_page  # the form's words are escaped HTML (&#39;)
    for asset in ("finder-index.js", "finder.js", "scopekb.css", "checker-shared.js", "checker.js"):
        assert (built / "assets" / "scopekb" / asset).is_file()
    assert 'assets/scopekb/finder.js' in home and 'assets/scopekb/scopekb.css' in home
    # The checker's shared data loads before the checker, which reads it when it starts.
    assert home.index("assets/scopekb/checker-shared.js") < home.index("assets/scopekb/checker.js")
    assert (built / "articles" / "outlook-ne-demarre-plus" / "index.html").is_file()


def test_client_pages_stay_out_of_the_navigation(built):
    home = (built / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<div class="md-sidebar md-sidebar--primary".*?<div class="md-sidebar md-sidebar--secondary"',
                    home, re.S).group(0)
    assert "accueil-appel/" in nav and "articles/" in nav
    assert "clients/" not in nav
    page = (built / context.client_html("menuiserie-berard-fils")).read_text(encoding="utf-8")
    assert page.count("clients/") < 20  # no sidebar listing the other clients


def test_client_page_has_title_toc_and_html(built):
    page = (built / context.client_html("menuiserie-berard-fils")).read_text(encoding="utf-8")
    assert re.search(r"<title>Menuiserie Bérard &(amp;)? Fils - ", page)
    assert re.search(r'<h1 id="[^"]+">Menuiserie Bérard &amp; Fils<', page)
    toc = re.search(r'<nav class="md-nav md-nav--secondary".*?</nav>', page, re.S).group(0)
    assert 'href="#contracts"' in toc and 'href="#ctr-2025-011"' in toc
    assert "SCOPEKBGENERATEDHTML" not in page and "scopekb: generated HTML" not in page


def index_data(site: Path) -> dict:
    """The data the site's search index script hands the page (window.scopekbSearchIndex = {...};)."""
    script = (site / "assets" / "scopekb" / "search-index.js").read_text(encoding="utf-8")
    return json.loads(script[script.index("=") + 1:].rstrip().removesuffix(";"))


def test_the_search_index_holds_clients_trees_categories_and_articles(built):
    index = index_data(built)
    docs = [line.split("\t") for line in index["docs"].split("\n")]
    text = json.dumps(index, ensure_ascii=False)
    for slug in SLUGS:
        assert context.client_html(slug) in text and context.tree_html(slug) in text
    assert "categories/printers/" in text and "articles/outlook-ne-demarre-plus/" in text
    assert "Menuiserie Bérard & Fils" in text and "Outlook ne démarre plus" in text
    forms = set(index["forms"].split("\n"))
    assert {"prn", "0107", "spouleur", "imprimante"} <= forms  # an asset id, and words of an article's text
    # a page and a tree per client, 10 categories, 3 articles, and the scenarios of content/tickets/
    scenarios = [d for d in docs if d[1].startswith("scenarios/")]
    assert len(scenarios) == len([p for p in (built / "scenarios").glob("*/index.html")]) - 2 > 20
    assert len(docs) == 2 * len(SLUGS) + 10 + 3 + len(scenarios)
    assert not (built / "search" / "search_index.json").exists()  # Material's search is not in the site


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_scopekb_build_shows_progress_and_a_summary(tmp_path):
    root = make_root(tmp_path)
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    # in the language of the example's mkdocs.yml
    assert re.fullmatch(rf"site construit en [\d.]+ s -> {re.escape(str(root))}/site/internal \(clients : 8, pages : "
                        rf"\d+\)\nsites clients : 8 construits, 0 inchangés, en [\d.]+ s -> {re.escape(str(root))}"
                        r"/site/clients\n", result.stdout)
    assert "chargement des contrats" in result.stderr and "construction des pages" in result.stderr
    assert (root / "site" / "internal" / context.client_html("hotel-le-belvedere")).is_file()
    assert site_folder_entries(root) == ["internal -> its build"]  # no build folder left behind
    # readable by a web server running as another user, like a folder made by mkdir
    assert (root / "site" / "internal").stat().st_mode & 0o777 == 0o777 & ~current_umask()


def test_bad_data_exits_2_and_keeps_the_previous_site(tmp_path):
    root = make_root(tmp_path)
    assert run("scopekb", "build", "--root", str(root)).returncode == 0
    before = snapshot(root / "site" / "internal")
    contract = root / "contracts" / "hotel-le-belvedere-ctr-2023-008.yaml"
    contract.write_text(contract.read_text(encoding="utf-8").replace("level: n1", "level: n9", 1), encoding="utf-8")
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line != "chargement des contrats"]
    assert errors and all(re.match(r"contracts/hotel-le-belvedere-ctr-2023-008\.yaml:\d+: scope\[\d\]\.level: ", e)
                          for e in errors), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(root / "site" / "internal") == before
    assert site_folder_entries(root) == ["internal -> its build"]
    # The plugin under plain `mkdocs build` also stops before MkDocs empties the site folder.
    result = run(sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"))
    assert result.returncode != 0 and "scope[0].level" in result.stderr
    assert snapshot(root / "site" / "internal") == before


def test_an_article_that_is_not_utf8_is_named_with_its_line(tmp_path):
    root = make_root(tmp_path)
    assert run("scopekb", "build", "--root", str(root)).returncode == 0
    before = snapshot(root / "site" / "internal")
    (root / "content" / "articles" / "latin1.md").write_bytes("# Imprimante\n\nBourrage papier.\nRéglé.\n"
                                                               .encode("latin-1"))
    result = run("scopekb", "build", "--root", str(root))
    assert (result.returncode, result.stdout) == (2, "") and "Traceback" not in result.stderr
    # One line, the progress aside: not MkDocs' own two about the same file first.
    assert [line for line in result.stderr.splitlines()
            if line not in ("chargement des contrats", "construction des pages")] == [
        "content/articles/latin1.md:4: document: byte 0xe9 is not UTF-8 text (expected a UTF-8 Markdown file)"]
    assert snapshot(root / "site" / "internal") == before


def test_bad_mkdocs_yml_is_one_error_line(tmp_path):
    root = make_root(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("docs_dir: content", "docs_dir: nowhere"))
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.search(r"^mkdocs\.yml:\d+: docs_dir: .*nowhere.* \(expected .*\)$", result.stderr, re.M), result.stderr
    config.unlink()
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 2 and result.stderr.splitlines()[-1].startswith("mkdocs.yml:1: mkdocs.yml: ")


def test_english_build(tmp_path):
    root = make_root(tmp_path, language="en")
    assert site_language("en") == "en" and site_language("fr-CA") == "fr" and site_language(None) == "fr"
    result = run("scopekb", "build", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("site built in ") and "loading contracts" in result.stderr
    site = root / "site" / "internal"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in home and "Find a client" in home and "Clients overview" in home
    client = (site / context.client_html("menuiserie-berard-fils")).read_text(encoding="utf-8")
    assert "Perimeter" in client and "Escalation team: " in client and "assets/scopekb/checker-shared.js" in client
    checker_shared = (site / "assets" / "scopekb" / "checker-shared.js").read_text(encoding="utf-8")
    assert '"lang":"en"' in checker_shared and '"verdict.out-of-scope":"OUT OF SCOPE"' in checker_shared
    tree = (site / context.tree_html("menuiserie-berard-fils")).read_text(encoding="utf-8")
    assert "OUT OF SCOPE" in tree and "What does the request concern?" in tree
    assert "USER ASSISTANCE FORM" in (site / "accueil-appel" / "index.html").read_text(encoding="utf-8")


def test_render_writes_plain_files(tmp_path):
    root = make_root(tmp_path / "kb")
    out = tmp_path / "pages"
    result = run("scopekb", "render", "--audience", "internal", "--out", str(out), "--root", str(root))
    assert result.returncode == 0, result.stderr
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {render.HOME_PAGE, render.CALL_PAGE, render.FINDER_INDEX} <= written
    assert {context.client_page(s) for s in SLUGS} | {context.tree_page(s) for s in SLUGS} <= written
    assert result.stdout == f"{len(written)} fichiers écrits dans {out}\n"
    assert out.stat().st_mode & 0o777 == 0o777 & ~current_umask()
    (out / "stale.md").write_text("old")
    assert run("scopekb", "render", "--out", str(out), "--root", str(root), "--lang", "en").returncode == 0
    assert not (out / "stale.md").exists() and "Find a client" in (out / "index.md").read_text()
    result = run("scopekb", "render", "--out", str(out), "--root", str(root), "--lang", "de")
    assert result.returncode == 2 and result.stderr.startswith("command line: --lang: ")


def test_a_build_from_a_script_without_a_main_guard(tmp_path):
    """The build's second process must not run the building program again, as multiprocessing's spawn does."""
    root = make_root(tmp_path / "kb")
    script = tmp_path / "build_it.py"
    script.write_text(f"from pathlib import Path\nfrom scopekb.publish.build import build_site\n"
                      f"print(build_site(Path({str(root)!r})).pages)\n", encoding="utf-8")
    result = run(sys.executable, str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().isdigit()
    for slug in SLUGS:
        assert (root / "site" / "internal" / context.tree_html(slug)).is_file()


def test_commands_explain_themselves():
    for command in ("build", "serve", "render"):
        result = run("scopekb", command, "--help")
        assert result.returncode == 0 and "Examples:" in result.stdout and "--root" in result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(condition, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    return None


def test_serve_rebuilds_when_a_contract_changes(tmp_path):
    root = make_root(tmp_path)
    address = f"127.0.0.1:{free_port()}"
    server = subprocess.Popen(["scopekb", "serve", "--root", str(root), "--addr", address], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        index_url = f"http://{address}/{render.FINDER_INDEX}"
        assert "hotel le belvedere" in (wait_for(lambda: fetch(index_url)) or "")
        contract = root / "contracts" / "hotel-le-belvedere-ctr-2023-008.yaml"
        text = contract.read_text(encoding="utf-8")
        contract.write_text(text.replace("aliases:\n", "aliases:\n    - Auberge du Lac Tranquille\n", 1),
                            encoding="utf-8")
        assert wait_for(lambda: "auberge du lac tranquille" in (fetch(index_url) or ""))
        # the decision-tree pages are served too
        tree = fetch(f"http://{address}/{context.tree_html('hotel-le-belvedere')}") or ""
        assert 'class="scopekb-question"' in tree
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (root / "site").exists()  # serving builds elsewhere


def test_serve_survives_bad_data_and_rebuilds_on_articles(tmp_path):
    """A rebuild refused for bad data says so without a traceback; the server goes on serving the last good
    site, and rebuilds once the data is good again, or an article changes."""
    root = make_root(tmp_path)
    address = f"127.0.0.1:{free_port()}"
    log = tmp_path / "serve.log"
    with open(log, "w") as stderr:
        server = subprocess.Popen(["scopekb", "serve", "--root", str(root), "--addr", address], env=ENV,
                                  stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        article_url = f"http://{address}/articles/outlook-ne-demarre-plus/"
        assert "Outlook ne démarre plus" in (wait_for(lambda: fetch(article_url)) or "")
        broken = root / "contracts" / "zz-broken.yaml"
        broken.write_text("id: [unclosed\n", encoding="utf-8")
        assert wait_for(lambda: "the site was not rebuilt" in log.read_text(encoding="utf-8"))
        assert server.poll() is None and "Outlook ne démarre plus" in (fetch(article_url) or "")
        assert "contracts/zz-broken.yaml:1: " in log.read_text(encoding="utf-8")
        assert "Traceback" not in log.read_text(encoding="utf-8")
        broken.unlink()
        article = root / "content" / "articles" / "outlook-ne-demarre-plus.md"
        article.write_text(article.read_text(encoding="utf-8").replace("title: \"Outlook ne démarre plus\"",
                                                                       "title: \"Outlook refuse de démarrer\""))
        assert wait_for(lambda: "Outlook refuse de démarrer" in (fetch(article_url) or ""))
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_articles_have_an_edit_link_when_the_repository_is_configured(tmp_path):
    root = make_root(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "repo_url: https://git.example.org/helpdesk/kb\n"
                      "edit_uri: edit/main/content/\n", encoding="utf-8")
    assert run("scopekb", "build", "--root", str(root)).returncode == 0
    page = (root / "site" / "internal" / "articles" / "outlook-ne-demarre-plus" / "index.html").read_text()
    assert 'href="https://git.example.org/helpdesk/kb/edit/main/content/articles/outlook-ne-demarre-plus.md"' in page
    client = (root / "site" / "internal" / context.client_html("hotel-le-belvedere")).read_text()
    assert "edit/main/content/clients" not in client  # generated pages have no file to edit


def test_serve_refuses_bad_data(tmp_path):
    root = make_root(tmp_path)
    (root / "contracts" / "broken.yaml").write_text("id: [unclosed\n")
    result = run("scopekb", "serve", "--root", str(root), "--addr", f"127.0.0.1:{free_port()}")
    assert result.returncode == 2 and result.stderr.startswith("contracts/broken.yaml:1: ")


def local_links(site: Path, page: Path):
    """(href, file it names) for every relative link of a built page."""
    for href in re.findall(r'<a [^>]*href="([^"#]+)', page.read_text(encoding="utf-8")):
        if not re.match(r"[a-z]+:", href):
            target = (page.parent / href).resolve()
            yield href, target / "index.html" if href.endswith("/") or target.is_dir() else target


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_link_of_the_generated_pages_leads_somewhere(tmp_path, directory_urls):
    root = make_root(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"use_directory_urls: {str(directory_urls).lower()}\n")
    assert run("scopekb", "build", "--root", str(root)).returncode == 0
    site = root / "site" / "internal"
    pages = [site / "index.html", *site.glob("accueil-appel*.html"), *site.glob("accueil-appel/index.html")]
    pages += [*(site / "clients").glob("*.html"), *(site / "arbres").glob("*.html")]
    assert len(pages) == 2 + 2 * len(SLUGS)
    checked = 0
    for page in pages:
        for href, target in local_links(site, page):
            assert target.is_file(), f"{page.relative_to(site)}: {href}"
            checked += 1
    assert checked > 100


def test_theme_templates_compile_once_and_again_when_changed(tmp_path, monkeypatch):
    import jinja2

    root = make_root(tmp_path / "kb")
    (root / "overrides").mkdir()
    override = root / "overrides" / "main.html"
    override.write_text('{% extends "base.html" %}{% block footer %}<p>one</p>{% endblock %}', encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  font: false",
                                                                 "  font: false\n  custom_dir: overrides"))
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def counted(env, source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return compile_template(env, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    build_site(root)
    site = root / "site" / "internal"
    first, compiled_first = snapshot(site), list(compiled)
    assert {"main.html", "base.html", "partials/nav.html"} <= set(compiled_first)
    compiled.clear()
    build_site(root)
    assert snapshot(site) == first and not {"main.html", "base.html", "partials/nav.html"} & set(compiled)
    override.write_text('{% extends "base.html" %}{% block footer %}<p>two</p>{% endblock %}', encoding="utf-8")
    compiled.clear()
    build_site(root)
    assert "main.html" in compiled and "base.html" not in compiled
    assert b"<p>two</p>" in (site / "index.html").read_bytes()
    # Damaged entries are compiled again.
    for entry in (root / plugin.TEMPLATE_CACHE).iterdir():
        entry.write_bytes(entry.read_bytes()[:40])
    build_site(root)
    assert b"<p>two</p>" in (site / "index.html").read_bytes()
    # A cache folder that cannot be written: the build compiles as before.
    shutil.rmtree(root / plugin.TEMPLATE_CACHE)
    (root / plugin.TEMPLATE_CACHE).write_text("not a folder")
    build_site(root)
    assert b"<p>two</p>" in (site / "index.html").read_bytes()


def test_a_first_build_checks_contract_files_in_both_processes(tmp_path, monkeypatch):
    from scopekb.kb import load
    from scopekb.errors import InputError

    plain = make_root(tmp_path / "plain")
    build_site(plain)
    monkeypatch.setattr(load, "SHARED_CHECKS", 1)  # the example's 9 contracts: 3 checked by the second process
    asked: list[list[str]] = []
    check_files = BuildWorker.check_files
    monkeypatch.setattr(BuildWorker, "check_files", lambda self, root, files: asked.append(files)
                        or check_files(self, root, files))
    root = make_root(tmp_path / "kb")
    build_site(root)
    assert len(asked) == 1 and len(asked[0]) == 3
    assert snapshot(root / "site" / "internal") == snapshot(plain / "site" / "internal")
    shutil.rmtree(root / ".scopekb-cache")
    bad = root / asked[0][-1]
    bad.write_text(bad.read_text(encoding="utf-8").replace("level: n1", "level: n9", 1), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        build_site(root)
    with pytest.raises(InputError) as expected:
        load.load_knowledge_base(root, use_cache=False)
    assert raised.value.messages == expected.value.messages and len(asked) == 2


def site_folder_entries(root: Path) -> list[str]:
    """What site/ holds: the published link, shown with its target when that is the one build beside it; the
    client sites' folder, clients/, aside (tests/test_client_sites_*.py)."""
    entries = sorted(entry for entry in (root / "site").iterdir() if entry.name != "clients")
    link = root / "site" / "internal"
    if link.is_symlink() and entries == sorted([link, link.resolve()]):
        return ["internal -> its build"]
    return [entry.name for entry in entries]
