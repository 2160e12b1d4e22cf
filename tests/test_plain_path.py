"""The fast path builds the very site the plain path does, byte for byte.

`fast: false` builds the generated pages the plain way: each is a file whose
Markdown MkDocs renders as any page, the theme around each. The fast path (a
second process renders their HTML, one Markdown parser for their titles, the
theme's frame rendered once per folder) must give the same bytes, in both
languages and whatever the table of contents' settings. No monkeypatching:
the option is the plugin's own.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


# Client names whose titles the toc extension gives one id ("ab"), or none at all, or an id that looks
# like one it made unique ("atelier_2"): the fast path converts titles in one document, where the toc
# extension makes ids unique across the document, and must still give each page the id it has alone.
ALIKE_TITLES = ["AB", "A.B", "…", "Atelier_2"]


def alike_contract(number: int, name: str) -> str:
    return (f"id: CTR-ALIKE-{number}\nclient:\n  name: \"{name}\"\n  slug: alike-{number}\n  aliases: [ALIKE{number}]\n"
            "signed: 2025-01-06\nstart: 2025-01-06\nend: 2027-01-05\nservices: [incident]\n"
            "remote_installation: false\nscope:\n  - category: printers\n    level: n1\n"
            "equipment:\n  policy: all\n  items: []\n")


def make_root(folder: Path, language: str, toc: str, fast: bool, alike: bool = False) -> Path:
    shutil.copytree(REPO / "contracts", folder / "contracts")
    for number, name in enumerate(ALIKE_TITLES if alike else []):
        (folder / "contracts" / f"alike-{number}.yaml").write_text(alike_contract(number, name), encoding="utf-8")
    shutil.copytree(REPO / "content", folder / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", "")
    config = config.replace("  language: fr\n", f"  language: {language}\n")
    config = config.replace("  - toc:\n      permalink: true\n", f"  - toc: {toc}\n")
    config = config.replace("  - scopekb ", f"  - scopekb:\n      today: '2026-03-02'\n      fast: {str(fast).lower()}\n  #")
    assert f"fast: {str(fast).lower()}" in config
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


def built(root: Path) -> dict[str, bytes]:
    done = subprocess.run(["scopekb", "build", "--root", str(root)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    site = (root / "site" / "internal").resolve()
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("language, toc, alike", [
    ("fr", "{permalink: true}", False),
    ("en", "{permalink: '§', permalink_title: Lien, separator: _}", False),
    ("fr", "{permalink: true}", True),
])
def test_the_fast_path_builds_the_plain_site_byte_for_byte(tmp_path, language, toc, alike):
    plain = built(make_root(tmp_path / "plain", language, toc, fast=False, alike=alike))
    fast = built(make_root(tmp_path / "fast", language, toc, fast=True, alike=alike))
    assert sorted(fast) == sorted(plain)
    generated = [p for p in plain if p.startswith(("clients/", "arbres/")) and p.endswith(".html")]
    assert len(generated) == 16 + 2 * len(ALIKE_TITLES) * alike
    if alike:  # each page has its title's id, not one made unique against the other pages' titles
        titles = [re.search(rb'<h1 id="([^"]*)"', plain[p]).group(1) for p in generated]
        assert titles.count(b"ab") == 2 and b"_1" in titles and b"atelier_2" in titles, titles
    different = [path for path in plain if fast[path] != plain[path]]
    assert different == []
    if "§" in toc:
        assert b'title="Lien">\xc2\xa7</a></h1>' in plain["clients/menuiserie-berard-fils.html"]
