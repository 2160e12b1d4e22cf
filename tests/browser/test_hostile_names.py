"""A contract's text is shown as the text it is, never run: a client named like a script, in Chromium.

The name reaches the page's <title> (through the theme's `striptags`), its
heading, the home page's overview and finder, the client page's checker and
its decision tree. None may run a script, and each shows the name as written.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from scopekb.site import context

from .serve import serve

REPO = Path(__file__).resolve().parents[2]
PAYLOAD = "Evil </title><script>alert(1)</script><img src=x onerror=alert(2)> & \"Co\" 'x'"
SLUG = "evil-title-script-alert-1-script-img-src-x-onerror-alert-2-co-x"


def hostile_contract() -> str:
    quoted = PAYLOAD.replace("\\", "\\\\").replace('"', '\\"')
    return f"""\
id: CTR-EVIL-1
client:
  name: "{quoted}"
  aliases: ["<b>bold</b>", "{{{{ 7*7 }}}}"]
signed: 2025-01-01
services: [incident]
scope:
  - category: printers
    level: n1
    items: ["<script>alert(3)</script> laser"]
equipment:
  items:
    - {{id: "X<script>alert(4)</script>", category: printers, model: "<img src=y onerror=alert(5)>"}}
public_notes: "<script>alert(6)</script>"
internal_notes: "[link](javascript:alert(7)) <iframe src=javascript:alert(8)>"
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "kb"
    subprocess.run(["scopekb", "init", str(root)], check=True, capture_output=True, timeout=60)
    shutil.copy(REPO / "contracts" / "provider.yaml", root / "contracts" / "provider.yaml")  # has `printers`
    (root / "contracts" / "evil.yaml").write_text(hostile_contract(), encoding="utf-8")
    done = subprocess.run(["scopekb", "build", "--root", str(root)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    site = root / "site" / "internal"
    with serve(site) as url:
        yield site, url


def open_quietly(page, url: str) -> list[str]:
    """Open `url`; what ran that should not have: dialogs, and scripts' errors."""
    happened: list[str] = []
    page.on("dialog", lambda dialog: (happened.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: happened.append(f"error: {error}"))
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    return happened


def test_the_client_page_runs_nothing_and_shows_the_name(hostile_site, page):
    site, url = hostile_site
    assert (site / context.client_html(SLUG)).is_file()
    ran = open_quietly(page, url + context.client_html(SLUG))
    assert ran == []
    assert page.title().startswith(PAYLOAD)
    assert page.locator("h1").first.inner_text().strip().removesuffix("¶") == PAYLOAD
    assert page.locator('script:not([src]):not([type="application/json"])').evaluate_all(
        "scripts => scripts.filter(s => s.textContent.includes('alert(')).length") == 0


def test_the_tree_and_home_pages_run_nothing(hostile_site, page):
    site, url = hostile_site
    for rel in (context.tree_html(SLUG), ""):
        assert open_quietly(page, url + rel) == [], rel
    # the finder shows the name as text
    page.fill("#scopekb-finder-input", "evil")
    page.wait_for_selector(".scopekb-finder__result")
    assert page.locator(".scopekb-finder__result a").first.inner_text() == PAYLOAD


def test_the_payload_fails_without_the_escaping_filter(hostile_site):
    """What the test above guards against: the theme's <title> with Jinja's own striptags would hold the
    name's tags as markup (checked on the built page's source, with the filter's output undone)."""
    site, _ = hostile_site
    html = (site / context.client_html(SLUG)).read_text(encoding="utf-8")
    title = html[html.index("<title>"):html.index("</title>") + len("</title>")]
    assert "&lt;/title&gt;&lt;script&gt;" in title and "<script>" not in title
