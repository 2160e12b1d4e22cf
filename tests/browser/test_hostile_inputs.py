"""Hostile text in every field of the provider, a contract and an article: `scopekb build`, then every page in
Chromium. Nothing runs, nothing is fetched from another host, nothing is read as a template or an include,
and every field the pages show is shown as the text it was.

The knowledge base is tests/hostile_kb.py's: each field holds its own tagged payload (script and event
handler markup, `javascript:` links, Markdown links and images to another host, a raw HTML block, Jinja,
an admonition, a snippet include of /etc/passwd, attribute-ending quotes, a right-to-left override). It is
built twice: with the Markdown extensions `scopekb init` writes, and with `pymdownx.snippets` turned on as
well, as a maintainer may do. An article's body is trusted Markdown (it may hold HTML by design); its front
matter is data, shown as text like a contract's.

`open_and_watch` is the helper the page-level checks use, ready for the pages of resolution scenarios
(`scenario_page_check` below, parametrized by what a scenario page shows).
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from hostile_kb import (CLIENT_SLUG, TICKET_SOLUTION, TICKET_TITLES, WITH_SNIPPETS, Field, payload, shown,
                        write_hostile_kb, write_hostile_tickets)

from .serve import serve

# The client cell of a ticket that names no client, listed as it was typed. Its first word is no word of the
# client's name (whose payload has every other word of it): "may mean" would give that client otherwise.
UNKNOWN_CLIENT = "Zyxwv " + payload("U")
SECRET = "root:x:0:0"  # the first line of /etc/passwd: what a snippet include of it would show


@dataclass
class Watched:
    """What a page did that it must not: dialogs opened, script errors, console errors, requests elsewhere."""
    events: list[str] = field(default_factory=list)


def open_and_watch(context, url: str, site_url: str) -> tuple[object, Watched]:
    """Open `url` in a new page of the browser `context`, and record for as long as the page lives what must never happen: a dialog (alert, confirm, prompt), an uncaught
    script error, an error on the console, a request to anything but the served site (aborted, and
    recorded). Hostile markup that ran would open a dialog; an image or frame of it would make a request.

    Reusable for any page of the site: give the browser context, the page's URL and the site's root URL;
    returns the page (close it when done) and what it recorded.
    """
    watched = Watched()
    page = context.new_page()
    origin = urlsplit(site_url)

    def dialog(d):
        watched.events.append(f"dialog {d.type}: {d.message}")
        d.dismiss()

    def route(r):
        target = urlsplit(r.request.url)
        if (target.scheme, target.netloc) == (origin.scheme, origin.netloc):
            r.continue_()
        else:
            watched.events.append(f"request to {r.request.url}")
            r.abort()

    page.on("dialog", dialog)
    page.on("pageerror", lambda error: watched.events.append(f"script error: {error}"))
    page.on("console", lambda msg: msg.type == "error" and watched.events.append(f"console error: {msg.text}"))
    page.route("**/*", route)
    page.goto(url)
    page.wait_for_load_state("load")
    # Let what would run on its own run: timers, the checker and the finder starting, an onload, an onmouseover.
    page.mouse.move(200, 300)
    page.mouse.move(400, 500)
    page.evaluate("() => new Promise(done => setTimeout(done, 250))")
    return page, watched


def visible_text(page) -> str:
    """The page's text as a reader sees it, white space collapsed."""
    return shown(page.inner_text("body"))


def build(root: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "import sys; from scopekb.cli import main; sys.argv[0] = 'scopekb'; main()",
               "build", "--root", str(root)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)


@dataclass
class HostileSite:
    root: Path  # the built site
    url: str
    fields: list[Field]

    def pages(self) -> list[str]:
        """Every HTML page of the site, by its path in it."""
        return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.html"))


@pytest.fixture(scope="module", params=["init-extensions", "with-snippets"])
def hostile_site(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"hostile-{request.param}")
    fields = write_hostile_kb(root, WITH_SNIPPETS if request.param == "with-snippets" else "")
    write_hostile_tickets(root, CLIENT_SLUG, UNKNOWN_CLIENT)
    done = build(root)
    assert done.returncode == 0, done.stderr
    site = root / "site" / "internal"
    with serve(site) as url:
        yield HostileSite(site, url, fields)


def test_the_site_has_the_pages_the_fields_show_on(hostile_site):
    wanted = {page for f in hostile_site.fields for page in f.pages}
    assert wanted <= set(hostile_site.pages())


def test_no_page_runs_fetches_or_includes_anything(hostile_site, page):
    """Every page opened: no dialog, no script or console error, no request to another host; no page, and
    no file of the site, holds /etc/passwd or the value of a Jinja expression where the payload's is."""
    happened = {}
    for rel in hostile_site.pages():
        opened, watched = open_and_watch(page.context, hostile_site.url + rel, hostile_site.url)
        text = visible_text(opened)
        opened.close()
        if watched.events:
            happened[rel] = watched.events
        assert SECRET not in text, rel
        assert "49" not in text.replace("F49", ""), rel  # {{ 7*7 }} evaluated
        assert "JINJA" not in text.replace("{% if true %}JINJA{% endif %}", ""), rel
    assert not happened, "\n".join(f"{rel}: {event}" for rel, events in happened.items() for event in events)
    for path in hostile_site.root.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_every_field_shows_as_the_text_it_was(hostile_site, page):
    """Each field's payload, whole, in the visible text of each page that shows that field."""
    missing = []
    texts: dict[str, str] = {}
    for f in hostile_site.fields:
        for rel in f.pages:
            if rel not in texts:
                page.goto(hostile_site.url + rel)
                texts[rel] = visible_text(page)
            if shown(f.text) not in texts[rel]:
                missing.append(f"{f.tag} {f.key} on {rel}")
    assert missing == []


def test_the_finder_search_and_checker_show_hostile_text_as_text(hostile_site, page):
    """The scripts that build parts of pages from the data (the finder, the search box, the checker) put
    the hostile texts in as text."""
    name = next(f for f in hostile_site.fields if f.key == "contract: client.name")
    page, watched = open_and_watch(page.context, hostile_site.url, hostile_site.url)
    page.fill("#scopekb-finder-input", name.tag)
    page.wait_for_selector(".scopekb-finder__result")
    assert page.locator(".scopekb-finder__result a").first.inner_text() == shown(name.text)

    page.fill("#scopekb-search-input", "javascript alert")
    page.wait_for_selector(".scopekb-search__results li")
    titles = page.locator(".scopekb-search__title").all_inner_texts()
    assert shown(name.text) in titles

    page.goto(hostile_site.url + "clients/hostile.html")
    page.wait_for_selector('#scopekb-checker[data-ready="true"]', state="attached")
    page.select_option('#scopekb-checker select[name="kind"]', "incident")
    page.fill('#scopekb-checker input[name="acquired"]', "2024-01-01")
    page.fill('#scopekb-checker input[name="item"]', "serveur")
    result = page.locator("#scopekb-checker [data-scopekb-result]")
    n2 = next(f for f in hostile_site.fields if f.key == "provider.yaml: teams.n2.name")
    assert shown(n2.text) in shown(result.inner_text())
    assert watched.events == []


# Resolution scenarios, mined from the tickets write_hostile_tickets exports: a payload in every text cell.

def scenario_page_check(context, site_url: str, page_path: str, texts: dict[str, str]) -> list[str]:
    """The problems of one page of scenarios: what it did (open_and_watch) and each of `texts` (field -> the
    text it must show, literally) it does not show. Empty when the page is as it must be."""
    page, watched = open_and_watch(context, site_url + page_path, site_url)
    text = visible_text(page)
    page.close()
    return watched.events + [f"{key} not shown as text on {page_path}" for key, want in texts.items()
                             if shown(want) not in text]


def test_ticket_texts_show_as_text_on_the_scenario_pages(hostile_site, page):
    """The scenario of the four tickets shows their titles (its title and symptoms) and the solution as typed;
    the index and the client's page show its title; the maintainers' page shows the unknown client as typed."""
    lists = {"scenarios/index.html", "scenarios/a-documenter/index.html", "scenarios/tickets-non-rattaches/index.html"}
    scenarios = [rel for rel in hostile_site.pages() if rel.startswith("scenarios/") and rel not in lists]
    assert len(scenarios) == 1, scenarios
    title = next(t for t in TICKET_TITLES if shown(t) in scenario_title(hostile_site, page, scenarios[0]))
    expected = {
        scenarios[0]: {**{f"title {n}": t for n, t in enumerate(TICKET_TITLES)}, "solution": TICKET_SOLUTION},
        "scenarios/index.html": {"title": title},
        "scenarios/a-documenter/index.html": {"title": title},
        "scenarios/tickets-non-rattaches/index.html": {"client": UNKNOWN_CLIENT},
        f"clients/{CLIENT_SLUG}.html": {"title": title},
    }
    problems = [problem for rel, texts in expected.items()
                for problem in scenario_page_check(page.context, hostile_site.url, rel, texts)]
    assert problems == []


def scenario_title(hostile_site, page, rel: str) -> str:
    """The text of the page's first heading."""
    page.goto(hostile_site.url + rel)
    return shown(page.locator("article h1").first.inner_text())
