"""Build the site the browser tests drive.

Interim: until the MkDocs site exists, a bare page per client with the real
checker and its real data (embed.checker_html), enough to test the checker.
"""
from __future__ import annotations

import html
import shutil
from importlib import resources
from pathlib import Path

from scopekb.embed import checker_html
from scopekb.model import KnowledgeBase


def build_site(repo: Path, out: Path, kb: KnowledgeBase, lang: str = "fr") -> None:
    assets = out / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    checker = resources.files("scopekb.site_templates").joinpath("assets/checker.js")
    shutil.copyfile(str(checker), assets / "checker.js")
    for slug, client in kb.clients.items():
        folder = out / "clients" / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(client.name)}</title></head><body><main><h1>{html.escape(client.name)}</h1>"
            f"{checker_html(kb, client, lang)}</main>"
            f'<script src="../../assets/checker.js"></script></body></html>',
            encoding="utf-8")
