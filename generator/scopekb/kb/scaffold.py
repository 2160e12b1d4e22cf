"""`scopekb init`: lay out a new knowledge-base folder that `validate` accepts."""
from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from scopekb.kb.schema import write_schemas
from scopekb.errors import InputError

# Files copied as they are from the package's scaffold/ folder.
SCAFFOLD_FILES = (
    "mkdocs.yml",
    "contracts/provider.yaml",
    "contracts/exemple-ctr-0001.yaml",
    "content/articles/exemple.md",
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


def new_article(root: Path, title: str, categories: list[str], provider, lang: str,
                scenario: str | None = None) -> Path:
    """Write a valid article skeleton for `title` under content/articles/, documenting `scenario` if given;
    returns its path."""
    import re

    from scopekb.kb.articles import article_path
    from scopekb.kb.schema import ID_REGEX
    from scopekb.words import sentences

    if scenario is not None and not re.match(ID_REGEX, scenario):
        raise InputError([f"command line: --scenario: '{scenario}' is not a scenario id (expected lower case, "
                          "digits and dashes, as on the scenario's page)"])

    unknown = [c for c in categories if c not in provider.catalog]
    if unknown:
        raise InputError([f"command line: --category: unknown category '{unknown[0]}' (expected an id from the "
                          f"catalog: {', '.join(provider.catalog)})"])
    if not title.strip():
        raise InputError(["command line: TITLE: empty (expected the article's title)"])
    target = root / article_path(title)
    if target.exists():
        raise InputError([f"command line: TITLE: {target.relative_to(root)} already exists (expected a title "
                          "no article has yet, or edit that file)"])
    t = sentences(lang)
    quoted = json.dumps(title.strip(), ensure_ascii=False)  # JSON is YAML: any title, quoted safely
    sections = "".join(f"## {t(key)}\n\n{t('article.todo')}\n\n" for key in
                       ("article.symptoms", "article.diagnosis", "article.resolution", "article.escalation"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"---\ntitle: {quoted}\ncategories: [{', '.join(categories)}]\naudience: internal\n"
                      f"level: n1\nsymptoms: []\nproducts: []\n{f'scenario: {scenario}' + chr(10) if scenario else ''}"
                      f"---\n\n{sections}".rstrip() + "\n", encoding="utf-8")
    return target
