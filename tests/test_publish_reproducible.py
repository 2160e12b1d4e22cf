"""Reproducible builds: the same inputs make the same site, byte for byte, wherever and whenever built.

The day the site is "as of" comes from scopekb.clock.today(): SOURCE_DATE_EPOCH's
UTC date when it is set, else today in Europe/Paris; `scopekb check` uses the
same day by default.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path


from scopekb import clock

REPO = Path(__file__).resolve().parents[1]
EPOCH = 1764547200 + 23 * 3600 + 30 * 60  # 2025-12-01 23:30 UTC: already 2 December in Paris


def make_root(folder: Path, site_url: str | None = None) -> Path:
    shutil.copytree(REPO / "contracts", folder / "contracts")
    shutil.copytree(REPO / "content", folder / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", "")
    if site_url:  # the sitemap lists the pages, with their date, only when the site's address is known
        config += f"site_url: {site_url}\n"
    (folder / "mkdocs.yml").write_text(config, encoding="utf-8")
    return folder


def scopekb(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TZ", "PYTHONHASHSEED")}
    environment.update(NO_MKDOCS_2_WARNING="1", **env)
    command = [sys.executable, "-c", "import sys; from scopekb.cli import main; sys.argv[0] = 'scopekb'; main()", *args]
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


def every_file(folder: Path) -> dict[str, bytes]:
    folder = folder.resolve()
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_of_the_same_inputs_are_byte_identical(tmp_path):
    """Two copies of the knowledge base in folders of different names and depths, built by processes with
    different time zones, hash seeds and working folders, and the first built again from its caches:
    every file the same, byte for byte."""
    sites = []
    roots = [make_root(tmp_path / f"copy-{n}" / ("deeper" * n) / "kb", site_url="https://kb.example.org/")
             for n in range(2)]
    # The third build is the first folder's again: with the caches of its first build (the contracts'
    # checked content, compiled templates) and a published site to replace.
    for root, zone, seed in [(roots[0], "UTC", "1"), (roots[1], "Pacific/Kiritimati", "2"), (roots[0], "Asia/Tokyo", "3")]:
        result = scopekb("build", "--root", str(root), cwd=tmp_path if root == roots[1] else root,
                         SOURCE_DATE_EPOCH=str(EPOCH), TZ=zone, PYTHONHASHSEED=seed)
        assert result.returncode == 0, result.stderr
        sites.append(every_file(root / "site" / "internal"))
    assert (roots[0] / ".scopekb-cache" / "templates").is_dir()  # the theme's compiled templates
    first = sites[0]
    for other in sites[1:]:
        assert list(first) == list(other)
        assert [path for path in first if first[path] != other[path]] == []
    assert {"index.html", "sitemap.xml", "sitemap.xml.gz", "assets/scopekb/search-index.js"} <= first.keys()
    # The sitemap dates every page by the same day, and its gzip copy carries that day as its time.
    sitemap = first["sitemap.xml"].decode()
    assert sitemap.count("<lastmod>2025-12-01</lastmod>") == sitemap.count("<url>") > 10
    packed = first["sitemap.xml.gz"]
    assert gzip.decompress(packed) == first["sitemap.xml"]
    assert int.from_bytes(packed[4:8], "little") == int(dt.datetime(2025, 12, 1, tzinfo=dt.timezone.utc).timestamp())
    # No trace of the folder or the machine it was built on.
    for path, data in first.items():
        assert b"copy-0" not in data and str(tmp_path).encode() not in data, path
        assert os.uname().nodename.encode() not in data or len(os.uname().nodename) < 4, path


def test_source_date_epoch_sets_the_day_the_pages_show(tmp_path):
    root = make_root(tmp_path / "kb")
    result = scopekb("build", "--root", str(root), cwd=root, SOURCE_DATE_EPOCH=str(EPOCH), TZ="Europe/Paris")
    assert result.returncode == 0, result.stderr
    home = (root / "site" / "internal" / "index.html").read_text(encoding="utf-8")
    # The UTC date of the timestamp, though it is already the next day in Paris and on this machine.
    assert re.findall(r"état au (\d{4}-\d{2}-\d{2})", home) == ["2025-12-01"]
    tree = next((root / "site" / "internal" / "arbres").glob("*.html")).read_text(encoding="utf-8")
    assert "(état au 2025-12-01)" in tree


def test_the_day_without_source_date_epoch_is_the_day_in_paris(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    late = dt.datetime(2025, 12, 1, 23, 30, tzinfo=dt.timezone.utc)  # 00:30 on 2 December in Paris
    summer = dt.datetime(2025, 6, 30, 22, 15, tzinfo=dt.timezone.utc)  # 00:15 on 1 July in Paris
    early = dt.datetime(2025, 12, 1, 22, 59, tzinfo=dt.timezone.utc)  # 23:59 on 1 December in Paris
    assert clock.today(now=late) == dt.date(2025, 12, 2)
    assert clock.today(now=summer) == dt.date(2025, 7, 1)
    assert clock.today(now=early) == dt.date(2025, 12, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    assert clock.today(now=late) == dt.date(2025, 12, 1)  # the timestamp's UTC date, the time is ignored
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")  # set but empty: as if not set
    assert clock.today(now=late) == dt.date(2025, 12, 2)


def test_a_bad_source_date_epoch_is_one_error_line(tmp_path):
    root = make_root(tmp_path / "kb")
    for command in (["build"], ["check", "CDA", "--item", "Excel"]):
        result = scopekb(*command, "--root", str(root), cwd=root, SOURCE_DATE_EPOCH="yesterday")
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines()[-1] == (
            "SOURCE_DATE_EPOCH: 'yesterday' is not a number of seconds since 1970-01-01 UTC "
            "(expected an integer, or the variable unset)"), result.stderr


def test_check_decides_on_the_same_day_as_the_site(tmp_path):
    """Without --date, `scopekb check` decides on clock.today(): with SOURCE_DATE_EPOCH set to a day
    before a contract starts, the client has no contract in force yet; the day after, it has."""
    root = make_root(tmp_path / "kb")
    contract = (root / "contracts" / "coop-val-de-loire-ctr-2026-012.yaml").read_text(encoding="utf-8")
    start = dt.date.fromisoformat(re.search(r"^start: (\S+)", contract, re.M).group(1))
    verdicts = {}
    for day in (start - dt.timedelta(days=1), start):
        epoch = int(dt.datetime.combine(day, dt.time(23, 30), dt.timezone.utc).timestamp())
        result = scopekb("check", "coop-val-de-loire", "--item", "Excel", "--json", "--root", str(root), cwd=root,
                         SOURCE_DATE_EPOCH=str(epoch), TZ="Europe/Paris")
        assert result.returncode == 0, result.stderr
        verdicts[day] = json.loads(result.stdout)
    before, on = verdicts[start - dt.timedelta(days=1)], verdicts[start]
    assert before["verdict"] == "no-contract" and on["verdict"] != "no-contract", (before, on)


def test_the_sitemap_dates_the_pages_by_the_sites_day(tmp_path):
    """With the plugin's `today` setting, the sitemap and its gzip copy carry that day, as the pages do,
    not the day of the build (MkDocs' own)."""
    root = make_root(tmp_path / "kb", site_url="https://kb.example.org/")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("  - scopekb ", '  - scopekb:\n      today: "2024-03-05"\n  #'),
                                     encoding="utf-8")
    result = scopekb("build", "--root", str(root), cwd=root)
    assert result.returncode == 0, result.stderr
    site = root / "site" / "internal"
    assert "état au 2024-03-05" in (site / "index.html").read_text(encoding="utf-8")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert sitemap.count("<lastmod>2024-03-05</lastmod>") == sitemap.count("<url>") > 10
    packed = (site / "sitemap.xml.gz").read_bytes()
    assert int.from_bytes(packed[4:8], "little") == int(dt.datetime(2024, 3, 5, tzinfo=dt.timezone.utc).timestamp())
