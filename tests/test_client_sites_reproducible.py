"""Client sites, their zips and PDFs: the same inputs give the same bytes, wherever and whenever built.

Two copies of the example knowledge base, in folders of different names and depths, are built by
processes with different time zones, hash seeds and working folders (SOURCE_DATE_EPOCH set, as for the
technicians' site: tests/test_publish_reproducible.py); the first is built again with its caches and
no manifest. Every file of every client site, every zip and the PDF must be the same, byte for byte.
The PDF holds the client's covered categories (its text read with pypdf: a pure-Python, maintained
library from PyPI, installed with the test extras, rather than poppler-utils, which CI would have to
install from Debian besides); the zip is sorted, dated by the site's day, and holds the site.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdf  # a test dependency: reads the PDFs' text
import pytest

from scopekb.kb.load import load_knowledge_base
from scopekb.publish.client_sites import MANIFEST

from test_publish_reproducible import EPOCH, make_root, scopekb

PRINTED = "menuiserie-berard-fils"


def every_file(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, links to folders followed, by path relative to it."""
    found = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            found.update({f"{path.name}/{rel}": data for rel, data in every_file(path.resolve()).items()})
        elif path.is_file():
            found[path.name] = path.read_bytes()
    return found


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> list[dict[str, bytes]]:
    tmp = tmp_path_factory.mktemp("reproducible-clients")
    roots = [make_root(tmp / f"copy-{n}" / ("deeper" * n) / "kb") for n in range(2)]
    sites = []
    for n, (root, zone, seed) in enumerate([(roots[0], "UTC", "1"), (roots[1], "Pacific/Kiritimati", "2"),
                                            (roots[0], "Asia/Tokyo", "3")]):
        if n == 2:  # again, from the caches (shared assets, compiled templates), every site rebuilt
            (root / MANIFEST).unlink()
        for command in (["build", "--zip"], ["build", "--client", PRINTED, "--pdf", "--zip"]):
            result = scopekb(*command, "--root", str(root), cwd=tmp if root == roots[1] else root,
                             SOURCE_DATE_EPOCH=str(EPOCH), TZ=zone, PYTHONHASHSEED=seed)
            assert result.returncode == 0, result.stderr
        sites.append(every_file(root / "site" / "clients"))
    return sites


def test_two_builds_of_the_same_inputs_are_byte_identical(builds, tmp_path):
    first = builds[0]
    kb = load_knowledge_base(make_root(tmp_path / "kb"))
    assert {f"{slug}/index.html" for slug in kb.clients} | {f"{slug}.zip" for slug in kb.clients} <= first.keys()
    assert f"{PRINTED}/{PRINTED}.pdf" in first
    for other in builds[1:]:
        assert list(first) == list(other)
        assert [path for path in first if first[path] != other[path]] == []
    for path, data in first.items():  # no trace of the folder it was built in
        assert b"copy-0" not in data and b"/tmp/" not in data, path


def test_the_zip_holds_the_site_sorted_and_dated_by_the_sites_day(builds):
    first = builds[0]
    with zipfile.ZipFile(io.BytesIO(first[f"{PRINTED}.zip"])) as archive:
        names = archive.namelist()
        assert names == sorted(names) and all(name.startswith(f"{PRINTED}/") for name in names)
        assert {info.date_time for info in archive.infolist()} == {(2025, 12, 1, 0, 0, 0)}
        assert {name.removeprefix(f"{PRINTED}/"): archive.read(name) for name in names} == {
            path.removeprefix(f"{PRINTED}/"): data for path, data in first.items() if path.startswith(f"{PRINTED}/")}


def test_the_pdf_holds_the_covered_categories(builds, tmp_path):
    data = builds[0][f"{PRINTED}/{PRINTED}.pdf"]
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    kb = load_knowledge_base(make_root(tmp_path / "kb"))
    client = kb.clients[PRINTED]
    assert len(reader.pages) >= 2  # a page break before each section
    assert "Votre contrat d'assistance informatique" in text and kb.provider.teams["helpdesk"].phone in text
    for entry in client.contracts[0].scope:
        assert kb.provider.catalog[entry.category].label in text
    assert "PRN-0107" in text
    for slug, other in kb.clients.items():  # nothing of another client
        if slug != PRINTED:
            assert other.name not in text and not any(c.id in text for c in other.contracts), slug
    assert reader.metadata["/CreationDate"].startswith("D:20251201000000")
    assert b"file://" not in data


def test_a_build_without_zip_removes_the_zip_of_a_site_it_rebuilds(tmp_path):
    root = make_root(tmp_path / "kb")
    assert scopekb("build", "--client", PRINTED, "--zip", "--root", str(root), cwd=root).returncode == 0
    assert (root / "site" / "clients" / f"{PRINTED}.zip").is_file()
    contract = root / "contracts" / "menuiserie-berard-fils-ctr-2025-011.yaml"
    contract.write_text(contract.read_text(encoding="utf-8") + "# amended\n", encoding="utf-8")
    assert scopekb("build", "--client", PRINTED, "--root", str(root), cwd=root).returncode == 0
    assert not (root / "site" / "clients" / f"{PRINTED}.zip").exists()
