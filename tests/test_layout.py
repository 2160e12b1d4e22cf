"""The package reads as the pipeline: each stage imports only from the stages before it.

Read from the source (AST), so that an import inside a function counts too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator" / "scopekb"
# Stages in order; a module may import from its own stage and the stages listed before it.
STAGES = ["errors", "clock", "words", "kb", "coverage", "tickets", "site", "mkdocs_plugin", "publish", "cli"]
# The one stage allowed to import MkDocs, Material or the Markdown parser they use.
MKDOCS_STAGE = "mkdocs_plugin"
MKDOCS_PACKAGES = {"mkdocs", "material", "markdown"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def stage_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0] if parts[0] != "__init__" else "errors"  # the package's own __init__: its version only


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file."""
    package = ["scopekb", *path.relative_to(PACKAGE).parent.parts]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            if node.module is None:  # from . import x, y: each is a module
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def test_every_module_belongs_to_a_stage():
    assert {stage_of(path) for path in modules()} <= set(STAGES)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_stage_imports_only_from_stages_before_it(path):
    stage = stage_of(path)
    allowed = set(STAGES[:STAGES.index(stage) + 1])
    wrong = []
    for line, module in imported(path):
        parts = module.split(".")
        if parts[0] == "scopekb" and len(parts) > 1:
            if parts[1] not in allowed and parts[1] != "__version__":
                wrong.append(f"line {line}: {module}")
        elif parts[0] in MKDOCS_PACKAGES and stage != MKDOCS_STAGE:
            wrong.append(f"line {line}: {module} (only {MKDOCS_STAGE}/ imports MkDocs)")
    assert not wrong, f"{path.relative_to(PACKAGE)} ({stage}) imports from a later stage: {wrong}"


def test_the_check_fails_on_an_import_from_a_later_stage(tmp_path, monkeypatch):
    """The rule above can fail: a kb module that imports the site is caught."""
    fake = PACKAGE / "kb" / "model.py"
    source = fake.read_text(encoding="utf-8") + "\nfrom scopekb.site.pages import render_site\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    with pytest.raises(AssertionError, match="imports from a later stage"):
        test_a_stage_imports_only_from_stages_before_it(fake)
