"""Client sites: built through MkDocs' Python API, sharing what sites share, and equal to what MkDocs builds.

`ClientSiteBuilder.build` runs MkDocs' own steps on a site's pages with a configuration, a theme
environment and static files shared by every site; `build_with_mkdocs` builds the same site with
MkDocs' `build()`. Both must give the same files, byte for byte.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scopekb.kb.articles import with_articles
from scopekb.kb.load import load_knowledge_base
from scopekb.mkdocs_plugin import engine
from scopekb.mkdocs_plugin.client_build import ClientSiteBuilder
from scopekb.publish.client_sites import SHARED, build_client_sites, shared_folder
from scopekb.site.client_site import client_site
from kb_builder import example_root as make_root

DAY = dt.date(2026, 3, 2)


def every_file(folder: Path) -> dict[str, bytes]:
    folder = folder.resolve()
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return make_root(tmp_path_factory.mktemp("clients") / "kb")


@pytest.fixture(scope="module")
def kb(root):
    return with_articles(load_knowledge_base(root), root)


@pytest.mark.parametrize("slug, lang", [("menuiserie-berard-fils", "fr"), ("editions-marchand-cie", "en"),
                                        ("clinique-veterinaire-des-chataigniers", "fr")])
def test_a_client_site_is_what_mkdocs_builds(root, kb, tmp_path, slug, lang):
    config = engine.load_config(root)
    builder = ClientSiteBuilder(root, config.markdown_extensions, config.mdx_configs, DAY)
    site = client_site(kb, slug, lang, DAY, root)
    builder.shared = shared_folder(root, builder, site)
    builder.build(site, tmp_path / "fast")
    builder.build_with_mkdocs(site, tmp_path / "mkdocs")
    fast, plain = every_file(tmp_path / "fast"), every_file(tmp_path / "mkdocs")
    assert list(fast) == list(plain)
    assert [path for path in fast if fast[path] != plain[path]] == []
    assert {"index.html", "guide.html", "404.html", "sitemap.xml", "assets/scopekb/search-index.js"} <= fast.keys()
    # the theme's files are links to the shared copy, not copies
    theme_file = next(path for path in fast if path.startswith("assets/javascripts/bundle."))
    assert os.stat(tmp_path / "fast" / theme_file).st_nlink >= 2
    assert os.path.samefile(tmp_path / "fast" / theme_file, root / SHARED / theme_file)


def test_a_client_site_says_what_its_contract_covers_in_its_language(root, kb):
    summary = build_client_sites(root, ["menuiserie-berard-fils", "editions-marchand-cie"], kb=kb)
    assert sorted(summary.built) == ["editions-marchand-cie", "menuiserie-berard-fils"]
    site = root / "site" / "clients" / "menuiserie-berard-fils"
    home = (site / "index.html").read_text(encoding="utf-8")
    provider = kb.provider
    for entry in kb.clients["menuiserie-berard-fils"].contracts[0].scope:
        assert provider.catalog[entry.category].label in home
    assert provider.teams["helpdesk"].phone in home and provider.teams["helpdesk"].email in home
    for team_id, team in provider.teams.items():  # no other team's direct line
        if team_id != "helpdesk":
            assert team.phone not in home and team.email not in home, team_id
    assert "PRN-0107" in home and "Non couvert" in home  # bought after the signature
    guide = (site / "guide.html").read_text(encoding="utf-8")
    assert "Ma demande est-elle couverte" in guide and "Couvert." in guide and "Non couvert par votre contrat." in guide
    # the public article of its printers, not the internal ones
    assert (site / "articles" / "imprimante-reseau-hors-ligne.html").is_file()
    assert not (site / "articles" / "outlook-ne-demarre-plus.html").exists()
    assert re.search(r'<html lang="fr"', home)
    other = (root / "site" / "clients" / "editions-marchand-cie" / "index.html").read_text(encoding="utf-8")
    assert "Votre contrat d'assistance informatique" in other and '<html lang="fr"' in other  # the site's language


def test_a_contract_in_english_makes_an_english_site(root, tmp_path):
    other = make_root(tmp_path / "kb")
    contract = other / "contracts" / "menuiserie-berard-fils-ctr-2025-011.yaml"
    contract.write_text(contract.read_text(encoding="utf-8").replace("    - MBF\n", "    - MBF\n  lang: en\n"),
                        encoding="utf-8")
    build_client_sites(other, ["menuiserie-berard-fils"])
    home = (other / "site" / "clients" / "menuiserie-berard-fils" / "index.html").read_text(encoding="utf-8")
    assert "Your IT support contract" in home and "Not covered" in home and "Couvert" not in home


def test_an_unknown_client_is_one_error_line(root):
    command = [sys.executable, "-c", "import sys; from scopekb.cli import main; sys.argv[0] = 'scopekb'; main()",
               "build", "--client", "nobody", "--root", str(root)]
    result = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["command line: --client: 'nobody' is no client's slug (expected the slug of "
                                          "a client, as `scopekb check NAME --json` prints it)"]
