"""The example site's resolution scenarios in Chromium: the example's GLPI export (content/tickets/) gives
scenario pages, reached from the scenarios' index, a client page and a category page, and found by the
site's search box; the "to document" page gives each its command. No script runs from ticket text."""
from __future__ import annotations

import re

import pytest

from .axe import serious_violations
from .test_search_engine import INPUT, hits


def h1(page) -> str:
    """The page's title, without its permalink sign."""
    return page.locator("h1").inner_text().removesuffix("¶").strip()


def open_first_scenario(page, site) -> str:
    """Open the scenarios' index, then its first scenario; returns the scenario's title."""
    page.goto(site.url_of("scenarios/index.html"))
    link = page.locator(".md-content table a").first
    title = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/scenarios/[a-z0-9-]+/$"))
    return title


def test_a_scenario_page_shows_what_callers_say_what_fixed_it_and_its_figures(page, site):
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.message), dialog.dismiss()))
    title = open_first_scenario(page, site)
    assert h1(page) == title
    for heading in ("Ce que disent les appelants", "Résolution la plus fréquente", "Chiffres", "Clients concernés"):
        assert page.get_by_role("heading", name=heading).is_visible()
    figures = dict(zip(page.locator(".md-content table th").all_inner_texts(),
                       page.locator(".md-content table td").all_inner_texts()))
    assert int(figures["Occurrences"]) >= 3 and re.fullmatch(r"\d{4}-\d\d-\d\d", figures["Dernier ticket"])
    # Back to its category, whose page lists it.
    page.locator(".md-content p a[href*='categories/']").first.click()
    assert page.get_by_role("link", name=title).count() >= 1
    assert seen == []


def test_the_search_box_finds_a_scenario_by_the_words_of_its_title(page, site):
    title = open_first_scenario(page, site)
    scenario_url = page.url
    page.goto(site.url)
    found = hits(page, title)
    scenario_hits = [hit for hit in found if hit["kind"] == "Scénario"]
    assert scenario_hits and scenario_hits[0]["title"] == title, found
    page.locator("#scopekb-search-results a", has_text=title).first.click()
    page.wait_for_url(scenario_url)
    assert h1(page) == title
    assert page.locator(INPUT).count() == 1


def test_a_client_page_and_the_to_document_page_lead_to_scenarios(page, site):
    page.goto(site.client_pages["hotel-le-belvedere"])
    links = page.locator(".scopekb-client__scenarios a")
    assert links.count() >= 3
    title = links.first.inner_text()
    links.first.click()
    assert h1(page) == title
    page.goto(site.url_of("scenarios/a-documenter/index.html"))
    commands = page.locator("code.scopekb-command").all_inner_texts()
    assert commands and all(c.startswith("scopekb new article ") and " --scenario " in c for c in commands)


@pytest.mark.parametrize("rel", ["scenarios/index.html", "scenarios/a-documenter/index.html",
                                 "scenarios/tickets-non-rattaches/index.html", None])
def test_no_serious_accessibility_violation(page, site, axe_script, rel):
    """None: the first scenario's own page."""
    if rel is None:
        open_first_scenario(page, site)
        page.wait_for_load_state("networkidle")
    else:
        page.goto(site.url_of(rel), wait_until="networkidle")
    found = serious_violations(page, axe_script)
    assert not found, f"{page.url}:\n" + "\n".join(found)
