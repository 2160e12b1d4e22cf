"""A knowledge base whose every text field holds hostile input: for tests/test_hostile_*.py and
tests/browser/test_hostile_*.py.

Each field gets its own payload, tagged (`F07 ...`) so that a page showing it can be checked for
that field's text, literally. A payload mixes what a page could mistake for code: script and event
handler markup, `javascript:` links, Markdown links and images (to another host: a request the
browser must never make), a raw HTML block, Jinja, MkDocs/Material syntax (an admonition, a snippet
include of /etc/passwd), quotes that would end an attribute, a right-to-left override.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

EVIL_HOST = "evil.invalid"  # a request to it is a request the site must never make

# The pieces of a payload, each alone on the page as the text it is.
PIECES = (
    "<script>alert('s')</script>",
    "<img src=x onerror=alert('i')>",
    "<a href=\"javascript:alert('a')\">a</a>",
    "[md](javascript:alert('m'))",
    f"![img](http://{EVIL_HOST}/md.png)",
    f"<div onmouseover=\"alert('d')\"><iframe src=\"http://{EVIL_HOST}/f\"></iframe></div>",
    "{{ 7*7 }} {% if true %}JINJA{% endif %} {# c #}",
    "!!! note \"adm\"",
    "--8<-- \"/etc/passwd\"",
    "\" ' \"><b>q</b> '><svg onload=alert('q')>",
    "\u202eexe.txt",
    "&amp; &lt;b&gt; &#60;i&#62;",
)
# The same, one piece a line, where a field may hold line breaks (notes, an article's body): an
# admonition, a snippet or a block of HTML at the start of a line is what Markdown would act on.
BLOCK_PIECES = (
    "!!! note \"adm\"\n    inside the admonition",
    "--8<-- \"/etc/passwd\"",
    "<div markdown=\"1\">\n<script>alert('b')</script>\n</div>",
    "{{ 7*7 }}\n{% include 'base.html' %}",
    f"![img](http://{EVIL_HOST}/block.png)",
)


def payload(tag: str, lines: bool = False) -> str:
    """The payload of the field tagged `tag`: all PIECES on one line, or (lines) BLOCK_PIECES as
    paragraphs after them."""
    text = f"{tag} " + " ".join(PIECES)
    if lines:
        text += "\n\n" + "\n\n".join(BLOCK_PIECES)
    return text


def shown(text: str) -> str:
    """The text as a browser shows it: white space made single spaces (HTML collapses it)."""
    return " ".join(text.split())


def y(value: str) -> str:
    """A YAML scalar holding `value` exactly (JSON's escapes are YAML's)."""
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Field:
    tag: str
    key: str  # file: key path
    text: str
    pages: tuple[str, ...]  # built files (site paths) whose visible text shows it


CLIENT_SLUG = "hostile"  # client.slug: the name's own slug would be a long run of words
CONTRACT_ANCHOR = None  # set by build: the client page's anchor of the contract


def hostile_fields() -> list[Field]:
    """Every text field of the hostile knowledge base, with its payload and the pages that show it."""
    client = f"clients/{CLIENT_SLUG}.html"
    tree = f"arbres/{CLIENT_SLUG}.html"
    home = "index.html"
    category = "categories/printers/index.html"
    n2_category = "categories/servers/index.html"
    article = "articles/hostile/index.html"
    specs = [
        ("provider.yaml: provider.name", False, (client,)),
        ("provider.yaml: teams.helpdesk.name", False, (client, tree, category)),
        ("provider.yaml: teams.helpdesk.phone", False, (client, tree, category)),
        ("provider.yaml: teams.helpdesk.email", False, (client,)),
        ("provider.yaml: teams.n2.name", False, (client, tree, n2_category)),
        ("provider.yaml: teams.n2.phone", False, (client, tree, n2_category)),
        ("provider.yaml: teams.boss.name", False, (client, tree)),
        ("provider.yaml: catalog.printers.label", False, (client, category, article)),
        ("provider.yaml: catalog.printers.keywords[0]", False, (category,)),
        ("provider.yaml: catalog.servers.label", False, (client, n2_category)),
        ("contract: id", False, (client, home, category)),
        ("contract: client.name", False, (client, tree, home, category, article)),
        ("contract: client.aliases[0]", False, (client,)),
        ("contract: scope[0].items[0]", False, (client,)),
        ("contract: equipment.items[0].id", False, (client,)),
        ("contract: equipment.items[0].model", False, (client,)),
        ("contract: public_notes", True, (client,)),
        ("contract: internal_notes", True, (client,)),
        ("article: title", False, (article, category, client, tree)),
        ("article: symptoms[0]", False, ()),
        ("article: products[0]", False, ()),
    ]
    return [Field(f"F{n:02d}", key, payload(f"F{n:02d}", lines), pages) for n, (key, lines, pages) in enumerate(specs)]


def _text(fields: list[Field], key: str) -> str:
    return next(f.text for f in fields if f.key == key)


def provider_yaml(fields: list[Field]) -> str:
    t = lambda key: y(_text(fields, "provider.yaml: " + key))  # noqa: E731
    return f"""\
provider:
  name: {t("provider.name")}
teams:
  helpdesk: {{name: {t("teams.helpdesk.name")}, phone: {t("teams.helpdesk.phone")}, email: {t("teams.helpdesk.email")}}}
  n2: {{name: {t("teams.n2.name")}, phone: {t("teams.n2.phone")}}}
  onsite: {{name: On-site}}
  boss: {{name: {t("teams.boss.name")}}}
defaults:
  escalation: boss
  installation: onsite
catalog:
  printers:
    label: {t("catalog.printers.label")}
    kind: hardware
    keywords: [{t("catalog.printers.keywords[0]")}, imprimante]
  servers:
    label: {t("catalog.servers.label")}
    kind: hardware
    keywords: [serveur]
"""


def contract_yaml(fields: list[Field]) -> str:
    t = lambda key: y(_text(fields, "contract: " + key))  # noqa: E731
    return f"""\
id: {t("id")}
client:
  name: {t("client.name")}
  slug: {CLIENT_SLUG}
  aliases: [{t("client.aliases[0]")}]
signed: 2025-01-01
services: [incident, installation]
scope:
  - category: printers
    level: n1
    items: [{t("scope[0].items[0]")}]
  - category: servers
    level: n2
    team: n2
equipment:
  policy: acquired-before-signature
  items:
    - {{id: {t("equipment.items[0].id")}, category: printers, model: {t("equipment.items[0].model")}, acquired: 2024-06-01}}
out_of_scope:
  may_propose: [extension]
public_notes: {t("public_notes")}
internal_notes: {t("internal_notes")}
"""


def article_md(fields: list[Field]) -> str:
    t = lambda key: y(_text(fields, "article: " + key))  # noqa: E731
    return f"""\
---
title: {t("title")}
categories: [printers]
symptoms: [{t("symptoms[0]")}]
products: [{t("products[0]")}]
---

A trusted article, whose body names things scopekb must leave alone: {{{{ 7*7 }}}} is Jinja only to Jinja.

--8<-- "/etc/passwd"
"""


def write_hostile_kb(root: Path, mkdocs_extra: str = "") -> list[Field]:
    """Write the hostile knowledge base under `root` (contracts/, content/, mkdocs.yml); its fields."""
    fields = hostile_fields()
    (root / "contracts").mkdir(parents=True, exist_ok=True)
    (root / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (root / "contracts" / "provider.yaml").write_text(provider_yaml(fields), encoding="utf-8")
    (root / "contracts" / "hostile.yaml").write_text(contract_yaml(fields), encoding="utf-8")
    (root / "content" / "articles" / "hostile.md").write_text(article_md(fields), encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML + mkdocs_extra, encoding="utf-8")
    return fields


# A GLPI CSV export of closed tickets whose every text cell holds a payload: callers type titles and
# descriptions, technicians solutions; none of it is trusted.
GLPI_HEADER = ["ID", "Titre", "Entité", "Statut", "Date d'ouverture", "Date de résolution", "Date de clôture",
               "Type", "Catégorie", "Demandeur - Demandeur", "Attribué à - Technicien",
               "Attribué à - Groupe de techniciens", "Description", "Solution - Solution"]
TICKET_TEXT = payload("T")  # every piece on one line
# Titles of one malfunction, each with its own pieces (near-identical titles would be one text): the
# scenario's title and symptoms hold them all.
TICKET_TITLES = [f"Imprimante hors ligne {PIECES[k]} {PIECES[k + 4]} {PIECES[k + 8]} fin" for k in range(4)]
TICKET_DESCRIPTION = f"L'imprimante est hors ligne {TICKET_TEXT}"
TICKET_SOLUTION = f"Spouleur redémarré {TICKET_TEXT}"


def glpi_plain(text: str) -> str:
    """A plain-text cell (a title) as GLPI exports it: <, > and & entity-encoded, " written ''."""
    return html.escape(text, quote=False).replace('"', "''")


def glpi_rich(text: str) -> str:
    """A rich-text cell as GLPI exports it: the typed text as HTML (escaped, in a paragraph), that HTML
    entity-encoded (`&lt;p&gt;...&amp;lt;script&amp;gt;...`)."""
    return html.escape(f"<p>{html.escape(text)}</p>")


def glpi_export(rows: list[list[str]]) -> str:
    """The CSV text GLPI writes for `rows` (cells as GLPI writes them), with its header and byte-order mark."""
    line = lambda cells: ";".join('"' + cell.replace('"', '""') + '"' for cell in cells) + ";"  # noqa: E731
    return "\ufeff" + "\n".join(line(cells) for cells in [GLPI_HEADER, *rows]) + "\n"


def glpi_ticket(number: int, title: str, *, client="Entité racine &gt; Alpha Conseil", status="Clos",
                category="Matériel > Imprimante", requester="Durand Marie", technician="Martin Paul",
                group="Helpdesk N1", kind="Incident", opened="14-03-2025 09:30") -> list[str]:
    """The cells of one closed ticket, TICKET_DESCRIPTION and TICKET_SOLUTION its texts."""
    return [str(number), glpi_plain(title), client, status, opened, "14-03-2025 10:05", "15-03-2025 08:00", kind,
            category, requester, technician, group, glpi_rich(TICKET_DESCRIPTION), glpi_rich(TICKET_SOLUTION)]


def write_hostile_tickets(root: Path, client: str, unknown_client: str) -> None:
    """content/tickets/glpi.csv under `root`: one malfunction of `client` (an entity as GLPI names it) in
    four tickets titled TICKET_TITLES, and a ticket of `unknown_client`, which names no client."""
    rows = [glpi_ticket(100 + k, title, client=client) for k, title in enumerate(TICKET_TITLES)]
    rows.append(glpi_ticket(200, TICKET_TITLES[0], client=glpi_plain(unknown_client)))
    folder = root / "content" / "tickets"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "glpi.csv").write_text(glpi_export(rows), encoding="utf-8")


MKDOCS_YML = """\
site_name: Hostile
docs_dir: content
site_dir: site/internal
theme:
  name: material
  language: fr
  font: false
plugins:
  - scopekb
markdown_extensions:
  - attr_list
  - md_in_html
  - admonition
  - tables
  - toc:
      permalink: true
"""
# A site that also turns snippet includes on, as a maintainer may: contract text must still include nothing.
WITH_SNIPPETS = """\
  - pymdownx.snippets
"""
