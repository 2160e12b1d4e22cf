"""axe-core finds no serious or critical violation on the pages a technician uses during a call.

axe-core comes from the npm registry: `npm install --no-save --prefix tests/browser axe-core@4`
(the README's test command); the fixture runs that command itself when it has not been run.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from .conftest import REPO

AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", "tests/browser", "axe-core@4"]


@pytest.fixture(scope="session")
def axe_script():
    if not AXE.is_file():
        assert shutil.which("npm"), "npm is needed to install axe-core: " + " ".join(INSTALL)
        subprocess.run(INSTALL, cwd=REPO, check=True, capture_output=True)
    assert AXE.is_file(), f"{AXE} is missing after: {' '.join(INSTALL)}"
    return AXE


def serious_violations(page, axe_script) -> list[str]:
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


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
