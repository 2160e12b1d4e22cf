"""Hostile text in every field of the provider, a contract and an article, through `scopekb build`: the
built files hold it as text, never as markup (no browser here: tests/browser/test_hostile_inputs.py opens
the same site in Chromium).

Every HTML file of the site is parsed: no element, attribute or link comes from a payload (a script that
would alert, an event handler, a `javascript:` link, anything loaded from the payloads' host), no file holds
/etc/passwd (a snippet include) and each field's text is in the pages that show it, escaped.
"""
from __future__ import annotations

import html.parser
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hostile_kb import EVIL_HOST, WITH_SNIPPETS, write_hostile_kb

SECRET = b"root:x:0:0"


class Markup(html.parser.HTMLParser):
    """What a page's markup would do: its inline scripts, event handlers, `javascript:` links, hosts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.text: list[str] = []  # the text of the page, entities decoded
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script" and not any(k == "type" and v == "application/json" for k, v in attrs)
        for key, value in attrs:
            value = value or ""
            if key.startswith("on"):
                self.found.append(f"<{tag} {key}={value!r}>")
            if value.strip().lower().startswith("javascript:") or EVIL_HOST in value:
                self.found.append(f"<{tag} {key}={value!r}>")
        if tag == "iframe" or (tag == "img" and dict(attrs).get("src") == "x"):
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and "alert(" in data:
            self.found.append(f"<script>{data[:80]!r}")
        elif not self.in_script:
            self.text.append(data)


def build(root: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import sys; from scopekb.cli import main; sys.argv[0] = 'scopekb'; main()",
               "build", "--root", str(root)]
    return subprocess.run(command, cwd=root, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module", params=["init-extensions", "with-snippets"])
def built(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"hostile-{request.param}")
    fields = write_hostile_kb(root, WITH_SNIPPETS if request.param == "with-snippets" else "")
    done = build(root)
    assert done.returncode == 0, done.stderr
    return root / "site" / "internal", fields


def test_no_built_page_holds_markup_from_the_data(built):
    site, _ = built
    found = {}
    for page in sorted(site.rglob("*.html")):
        parser = Markup()
        parser.feed(page.read_text(encoding="utf-8"))
        if parser.found:
            found[page.relative_to(site).as_posix()] = parser.found
    assert found == {}


def test_no_built_file_includes_a_file_from_outside(built):
    site, _ = built
    assert [p for p in site.rglob("*") if p.is_file() and SECRET in p.read_bytes()] == []


def test_each_field_is_text_of_its_pages(built):
    """The text of each field, whole, in the text of each page that shows it (the browser test checks what
    the reader sees)."""
    site, fields = built
    missing = []
    for field in fields:
        for rel in field.pages:
            parser = Markup()
            parser.feed((site / rel).read_text(encoding="utf-8"))
            if " ".join(field.text.split()) not in " ".join(" ".join(parser.text).split()):
                missing.append(f"{field.tag} {field.key} on {rel}")
    assert missing == []
