"""`scopekb init`: lay out a new knowledge-base folder that `validate` accepts."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from scopekb.kb.schema import write_schemas
from scopekb.errors import InputError

# Files copied as they are from the package's scaffold/ folder.
SCAFFOLD_FILES = (
    "mkdocs.yml",
    "contracts/provider.yaml",
    "contracts/exemple-ctr-0001.yaml",
    "content/scenarios/exemple.md",
)
GITIGNORE = "site/\n.scopekb-cache/\n"


def scaffold(directory: Path) -> list[Path]:
    """Write the scaffold into `directory` (new or empty); returns the files written."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError([f"command line: DIRECTORY: {directory} exists and is not empty "
                          "(expected a new or empty folder)"])
    source = files("scopekb.kb") / "scaffold"
    written = []
    for rel in SCAFFOLD_FILES:
        target = directory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((source / rel).read_bytes())
        written.append(target)
    (directory / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    written.append(directory / ".gitignore")
    written += write_schemas(directory / "schema")
    return written
