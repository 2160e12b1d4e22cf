"""A rebuild links the pages that come out the same from the published site, and writes the others.

The linked file is the published one (same inode), which no build ever
writes into; a changed page is a new file, and the site a rebuild publishes
is the one a build from nothing makes, byte for byte.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from scopekb.publish.build import build_site
from kb_builder import example_root as make_root

CONTRACT = "garage-rousseau-freres-ctr-2022-014.yaml"


def files(site: Path) -> dict[str, tuple[int, bytes]]:
    """Each file of the site: (inode, bytes)."""
    site = site.resolve()
    return {p.relative_to(site).as_posix(): (p.stat().st_ino, p.read_bytes())
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_rebuild_links_unchanged_pages_and_writes_changed_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772409600")  # 2026-03-02: the same day for every build
    root = make_root(tmp_path / "kb")
    build_site(root)
    first = files(root / "site" / "internal")

    build_site(root)
    again = files(root / "site" / "internal")
    assert {path: data for path, (_, data) in again.items()} == {path: data for path, (_, data) in first.items()}
    pages = [path for path in first if path.endswith(".html") and path != "404.html"]  # 404: not a page
    linked = [path for path in pages if again[path][0] == first[path][0]]
    assert len(pages) > 40 and linked == pages  # every page came out the same: none written again

    contract = root / "contracts" / CONTRACT
    contract.write_text(contract.read_text(encoding="utf-8").replace("    - Rousseau Automobiles\n",
                                                                   "    - Rousseau Automobiles\n    - Garage du Pont\n"),
                        encoding="utf-8")
    build_site(root)
    changed = files(root / "site" / "internal")
    client = "clients/garage-rousseau-freres.html"
    assert b"Garage du Pont" in changed[client][1] and b"Garage du Pont" not in again[client][1]
    assert changed[client][0] != again[client][0]  # a new file, not the published one written over
    assert changed["clients/hotel-le-belvedere.html"][0] == again["clients/hotel-le-belvedere.html"][0]

    fresh = make_root(tmp_path / "fresh")
    shutil.copy(contract, fresh / "contracts" / CONTRACT)
    build_site(fresh)
    assert {path: data for path, (_, data) in files(fresh / "site" / "internal").items()} == \
        {path: data for path, (_, data) in changed.items()}

