"""Build the example site the browser tests drive, as a user would, into a folder of the test's."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def build_site(repo: Path, out: Path, language: str | None = None) -> None:
    """`mkdocs build` of the repository's mkdocs.yml (its contracts/ and content/) into `out`.

    With `language`, a configuration beside `out` inherits the repository's and sets
    theme.language to it, as a user switching language would.
    """
    config = repo / "mkdocs.yml"
    if language is not None:
        config = out.parent / f"{out.name}.mkdocs.yml"
        # JSON is YAML: paths made absolute, since they are relative to this file now.
        config.write_text(json.dumps({
            "INHERIT": str(repo / "mkdocs.yml"),
            "docs_dir": str(repo / "content"),
            "watch": [str(repo / "contracts"), str(repo / "site_templates")],
            "theme": {"language": language},
            "plugins": [{"scopekb": {"root": str(repo)}}],
        }), encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file", str(config),
                           "--site-dir", str(out)], cwd=repo, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"mkdocs build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
