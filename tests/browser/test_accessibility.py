"""axe-core finds no serious or critical violation on the pages a technician uses during a call (axe.py)."""
from __future__ import annotations

import pytest

from .axe import serious_violations


def pages(site, kb) -> dict[str, str]:
    slug = next(iter(kb.clients))
    return {"home": site.url, "client": site.client_pages[slug], "decision tree": site.tree_url(slug),
            "call reception": site.call_reception_url()}


@pytest.mark.parametrize("kind", ["home", "client", "decision tree", "call reception"])
def test_no_serious_violation(site, kb, page, axe_script, kind):
    url = pages(site, kb)[kind]
    page.goto(url, wait_until="networkidle")
    found = serious_violations(page, axe_script)
    assert not found, f"{url}:\n" + "\n".join(found)


def test_client_page_with_an_answer_shown(site, kb, page, axe_script):
    """The checker's result, once filled in, is accessible too."""
    slug = next(iter(kb.clients))
    page.goto(site.client_pages[slug], wait_until="networkidle")
    page.fill('#scopekb-checker input[name="item"]', "imprimante")
    found = serious_violations(page, axe_script)
    assert not found, "\n".join(found)
