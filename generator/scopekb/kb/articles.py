"""Maintainers' resolution articles: Markdown files under content/, each with front matter.

Every Markdown file under content/ is an article (but the ticket exports of
content/tickets/). Its front matter is checked against schema.ARTICLE like a
contract, one line per problem with file, line and key; then what spans files
and needs the provider: known categories, unique titles. Nothing is written
when anything is wrong.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from scopekb.errors import InputError
from scopekb.kb.load import files_under, parse_yaml
from scopekb.kb.model import Article, KnowledgeBase, Provider, normal_form, slugify
from scopekb.kb.schema import ARTICLE
from scopekb.kb.validate import Problems, _walk, one_line

CONTENT_DIR = "content"
TICKETS_DIR = "content/tickets"  # closed tickets' exports, not articles
ARTICLES_DIR = "content/articles"  # where `scopekb new article` writes
_FENCE = re.compile(r"^---[ \t]*$")


def article_files(root: Path) -> list[str]:
    """Every Markdown file under content/ (root-relative), but content/tickets/ and hidden ones; links are
    followed as for contracts (load.files_under)."""
    if not (root / CONTENT_DIR).is_dir():
        return []
    return files_under(root, CONTENT_DIR, lambda rel: rel.endswith(".md"), skipped=lambda rel: rel == TICKETS_DIR)


def front_matter(text: str) -> str | None:
    """The front matter's YAML, with the lines before it blank so that line numbers are the file's;
    None when the file does not open with a `---` line that a later `---` line closes."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].lstrip("\ufeff")):
        return None
    for end in range(1, len(lines)):
        if _FENCE.match(lines[end]):
            return "\n" + "\n".join(lines[1:end]) + "\n"
    return None


def article_from_file(root: Path, rel: str) -> tuple[Article, dict[str, int]] | list[str]:
    """One article on its own: (the Article, the line of each key), or its error lines."""
    data = (root / rel).read_bytes()
    try:
        yaml_text = front_matter(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return [f"{rel}:{line}: document: byte 0x{data[error.start]:02x} is not UTF-8 text (expected a UTF-8 "
                "Markdown file)"]
    if yaml_text is None:
        return [f"{rel}:1: document: no front matter (expected a first line '---', then at least title: and "
                "categories:, then a line '---')"]
    node = parse_yaml(yaml_text.encode("utf-8"), rel)
    if isinstance(node, list):
        return node
    problems = Problems(rel)
    fields, lines = _walk(node, ARTICLE, problems)
    if fields is None:
        return problems.messages
    article = Article(source=rel, title=fields["title"], categories=tuple(fields["categories"]),
                      audience=fields.get("audience", "internal"), level=fields.get("level"),
                      symptoms=tuple(fields.get("symptoms", ())), products=tuple(fields.get("products", ())),
                      scenario=fields.get("scenario"))
    return article, lines


def load_articles(root: Path, provider: Provider) -> tuple[Article, ...]:
    """Every article under root/content, checked; raises InputError with every problem at once."""
    root = Path(root)
    messages: list[str] = []
    articles: list[Article] = []
    titles: dict[str, Article] = {}
    for rel in article_files(root):
        try:
            result = article_from_file(root, rel)
        except OSError as error:
            messages.append(f"{rel}:1: document: cannot be read: {error.strerror} (expected a readable file)")
            continue
        if isinstance(result, list):
            messages += result
            continue
        article, lines = result
        for i, category in enumerate(article.categories):
            if category not in provider.catalog:
                messages.append(f"{rel}:{lines.get(f'categories[{i}]', 1)}: categories[{i}]: unknown category "
                                f"'{one_line(category)}' (expected an id from the catalog: "
                                f"{', '.join(provider.catalog)})")
        same = titles.get(normal_form(article.title))
        if same is not None:
            messages.append(f"{rel}:{lines.get('title', 1)}: title: '{one_line(article.title)}' is also the title "
                            f"of {same.source} (expected a title of its own)")
        titles.setdefault(normal_form(article.title), article)
        articles.append(article)
    if messages:
        raise InputError(messages)
    return tuple(articles)


def with_articles(kb: KnowledgeBase, root: Path) -> KnowledgeBase:
    """`kb` with the articles of root/content, checked against its provider."""
    return dataclasses.replace(kb, articles=load_articles(root, kb.provider))


def article_path(title: str) -> str:
    """Where `scopekb new article` writes an article of this title (root-relative)."""
    return f"{ARTICLES_DIR}/{slugify(title) or 'article'}.md"
