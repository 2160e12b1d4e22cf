"""The home page's clients overview at a few hundred clients: parts rendered near the viewport only
(all of them in print), lined up as one table, accessible.

A site of `scopekb init` with 250 clients is built as a user builds it (`scopekb build --root`).
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from scopekb.site import pages as render

from .axe import serious_violations
from .serve import serve

CLIENTS = 250
PART = ".scopekb-overview__part"
# Whether a cell of the overview is rendered: false while its part is skipped by `content-visibility: auto`.
RENDERED = "cell => cell.checkVisibility({contentVisibilityAuto: true})"
HEADER_CELLS = "part => [...part.querySelectorAll('th')].map(th => { const r = th.getBoundingClientRect(); " \
               "return [Math.round(r.left * 10) / 10, Math.round(r.width * 10) / 10]; })"


@pytest.fixture(scope="module")
def many_clients(tmp_path_factory):
    root = tmp_path_factory.mktemp("overview") / "kb"
    scopekb = [sys.executable, "-c", "from scopekb.cli import main; main()"]
    subprocess.run([*scopekb, "init", str(root)], check=True, capture_output=True)
    example = next(root.glob("contracts/exemple-*.yaml"))
    text = re.sub(r"\n  aliases: .*", "", example.read_text(encoding="utf-8"))  # aliases are each client's own
    for n in range(CLIENTS):
        # Names of another length in each part: each table alone would size its columns differently.
        name = f"Entreprise {n:03d}" + " et Fils" * (n // render.OVERVIEW_ROWS_PER_TABLE * 3)
        client = text.replace("CTR-0001", f"CTR-{n:04d}").replace("Entreprise Exemple", name)
        client = re.sub(r"\b(PC|PRN)-0001\b", lambda m: f"{m.group(1)}-{n:04d}", client)
        (root / "contracts" / f"client-{n:03d}.yaml").write_text(client, encoding="utf-8")
    example.unlink()
    done = subprocess.run([*scopekb, "build", "--root", str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with serve(root / "site" / "internal") as url:
        yield url


def test_parts_far_from_the_viewport_are_not_rendered_until_scrolled_to(many_clients, page):
    page.goto(many_clients, wait_until="load")
    parts = page.locator(PART)
    assert parts.count() == -(-CLIENTS // render.OVERVIEW_ROWS_PER_TABLE) >= 3
    assert page.locator(f"{PART} tbody tr").count() == CLIENTS
    first_cell, last_cell = (parts.nth(n).locator("td").first for n in (0, parts.count() - 1))
    assert first_cell.evaluate(RENDERED) is True
    assert last_cell.evaluate(RENDERED) is False
    last_cell.scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelectorAll('{PART}')[{parts.count() - 1}].querySelector('td')"
                           ".checkVisibility({contentVisibilityAuto: true})")
    assert last_cell.inner_text().startswith(f"Entreprise {(parts.count() - 1) * render.OVERVIEW_ROWS_PER_TABLE:03d}")


def test_every_part_is_rendered_for_print(many_clients, page):
    page.emulate_media(media="print")
    page.goto(many_clients, wait_until="load")
    cells = page.locator(f"{PART} tbody tr:first-child td:first-child")
    assert cells.count() >= 3
    assert cells.evaluate_all(f"cells => cells.map({RENDERED})") == [True] * cells.count()


def test_the_parts_line_up_as_one_table(many_clients, page):
    page.goto(many_clients, wait_until="load")
    parts = page.locator(PART)
    first = parts.first.evaluate(HEADER_CELLS)
    for n in range(1, parts.count()):
        parts.nth(n).scroll_into_view_if_needed()
        assert parts.nth(n).evaluate(HEADER_CELLS) == first, f"part {n + 1}"
    assert len(first) == 6 and first[0][1] > first[1][1]  # the client's name has the widest column


def test_a_home_page_of_several_parts_has_no_serious_accessibility_violation(many_clients, page, axe_script):
    page.goto(many_clients, wait_until="networkidle")
    found = serious_violations(page, axe_script)
    assert not found, "\n".join(found)
