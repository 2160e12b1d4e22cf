"""Client sites are built again only when what they are made from changed (publish/client_sites.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from scopekb.publish.client_sites import MANIFEST, Options, build_client_sites

from test_client_sites_build import make_root

MBF = "menuiserie-berard-fils"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")  # 2025-12-01
    root = make_root(tmp_path / "kb")
    assert len(build_client_sites(root).built) == 8
    return root


def test_only_the_sites_whose_inputs_changed_are_built_again(root, monkeypatch):
    again = build_client_sites(root)
    assert (again.built, len(again.unchanged)) == ([], 8)
    edit(root / "contracts" / "menuiserie-berard-fils-ctr-2025-011.yaml", "public_notes: >-\n", "public_notes: >-\n  Avenant.\n")
    assert build_client_sites(root).built == [MBF]
    # an internal article is in no client site: no site is built again
    edit(root / "content" / "articles" / "outlook-ne-demarre-plus.md", "## Symptômes", "## Symptômes\n\nAjout.")
    assert build_client_sites(root).built == []
    # a public article (printers): the sites of the clients covering printers
    edit(root / "content" / "articles" / "imprimante-reseau-hors-ligne.md", "## Symptômes", "## Symptômes\n\nAjout.")
    printers = build_client_sites(root).built
    assert MBF in printers and 0 < len(printers) < 8
    assert "Ajout." in (root / "site" / "clients" / MBF / "articles" / "imprimante-reseau-hors-ligne.html").read_text(
        encoding="utf-8")
    # the provider, or the day: every site
    edit(root / "contracts" / "provider.yaml", '"01 84 25 60 00"', '"01 84 25 60 01"')
    assert len(build_client_sites(root).built) == 8
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1764547200 + 86400))
    assert len(build_client_sites(root).built) == 8
    # a zip asked for: written from the published sites, none built again
    zipped = build_client_sites(root, options=Options(zip=True))
    assert zipped.built == [] and len(list((root / "site" / "clients").glob("*.zip"))) == 8


def test_a_published_site_that_is_missing_is_built_again(root):
    site = root / "site" / "clients" / MBF
    site.unlink()
    assert build_client_sites(root).built == [MBF] and (site / "index.html").is_file()


def test_the_site_of_a_client_that_is_gone_is_removed(root):
    build_client_sites(root, options=Options(zip=True))
    (root / "contracts" / "menuiserie-berard-fils-ctr-2025-011.yaml").unlink()
    gone = build_client_sites(root)
    assert gone.removed == [MBF] and gone.built == []
    folder = root / "site" / "clients"
    assert not (folder / MBF).exists() and not (folder / f"{MBF}.zip").exists()
    assert not [p for p in folder.iterdir() if MBF in p.name]  # its build folder too
    assert MBF not in json.loads((root / MANIFEST).read_text(encoding="utf-8"))["sites"]
    # building one client's site removes no other
    assert build_client_sites(root, ["hotel-le-belvedere"]).removed == []
