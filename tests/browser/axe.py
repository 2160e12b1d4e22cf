"""axe-core in the page: installed from the npm registry when missing, then its serious and critical findings.

axe-core comes from the npm registry: `npm install --no-save --prefix tests/browser axe-core@4`
(the README's test command); the `axe_script` fixture (conftest.py) runs that command itself when it
has not been run.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--prefix", "tests/browser", "axe-core@4"]


def install_axe() -> Path:
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
