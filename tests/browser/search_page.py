"""A small static site with scopekb's search box, for the search engine's browser tests.

Pages at three depths, each with a Material-like header (or none: `standalone.html`), search.js and
search.css copied from site_templates/assets, and an index built by scopekb.site.search_index from
`DOCUMENTS`; every document's page exists, so opening a hit lands on a real page.
"""
from __future__ import annotations

import html
import shutil
from pathlib import Path

from scopekb.site.search_index import STRINGS_FILE, SearchDocument, build_search_index, strings_script
from scopekb.site.search_ui import script_attributes

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "site_templates" / "assets"
# The little of Material's look that the box sits in: a coloured header bar laid out as a row.
THEME = ("html{font-size:125%}body{margin:0;font-family:sans-serif}.md-header{background:#4051b5;color:#fff}"
         ".md-header__inner{display:flex;align-items:center;height:2.4rem;padding:0 .2rem}"
         ".md-header__title{flex-grow:1;margin-left:1rem}main{padding:0 1rem}")
HOSTILE = "</script><img src=x onerror=alert(1)>"

DOCUMENTS_FR = [
    SearchDocument("clients/cabinet-dupont.html", "Cabinet Dupont & Associés", "client",
                   "Postes de travail, imprimantes et serveur du cabinet.",
                   keywords=("CDA", "PRN-0107", "HP LaserJet Pro 4002dn")),
    SearchDocument("clients/dupont-transports.html", "Dupont Transports", "client",
                   "Contrat d'assistance : postes de travail et messagerie.", keywords=("DTR",)),
    SearchDocument("clients/garage-rousseau.html", "Garage Rousseau", "client",
                   "Un écran tactile à l'accueil et deux postes de travail.", keywords=("GRF", "PC-0042")),
    SearchDocument("clients/hostile.html", HOSTILE, "client", "Un client au nom piégé \u2028 sur deux lignes."),
    SearchDocument("scenarios/imprimante-reseau/", "L'imprimante réseau apparaît hors ligne", "article",
                   "Les documents s'accumulent dans la file d'impression. Redémarrer l'imprimante partagée."),
    SearchDocument("categories/printers/", "Imprimantes locales et en réseau", "category",
                   "Imprimante laser, multifonction, traceur."),
    SearchDocument("arbres/cabinet-dupont.html", "Arbre de décision : Cabinet Dupont & Associés", "tree",
                   "Quel est le type de la demande ?"),
]

DOCUMENTS_EN = [
    SearchDocument("clients/acme.html", "Acme Printing Ltd", "client", "Workstations and one printer.",
                   keywords=("ACM",)),
    SearchDocument("articles/printer-offline/", "The network printer shows offline", "article",
                   "Documents pile up in the print queue. Restart the shared printer."),
    SearchDocument("categories/screens/", "Screens and monitors", "category", "Flat screens, projectors."),
]


def page_html(title: str, base: str, lang: str, header: bool = True) -> str:
    """One page; `base` is the site's root relative to it ("", "../", "../../"). The French pages give
    search.js its words and base in data attributes, the English ones as MkDocs' extra_javascript
    would: plain script tags, the words in the strings script."""
    top = ('<header class="md-header"><nav class="md-header__inner md-grid">'
           f'<div class="md-header__title">{html.escape(title)}</div></nav></header>') if header else ""
    if lang == "fr":
        scripts = f'<script src="{base}assets/scopekb/search.js" {script_attributes(lang, base=base or "./")}></script>'
    else:
        scripts = (f'<script src="{base}assets/scopekb/search-strings.js"></script>'
                   f'<script src="{base}assets/scopekb/search.js"></script>')
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<link rel="stylesheet" href="{base}assets/scopekb/search.css"><style>{THEME}</style></head>\n<body>{top}'
            f'<main><h1>{html.escape(title)}</h1><p><input id="other-field" aria-label="other"></p></main>\n'
            f'{scripts}\n</body></html>\n')


def write_site(root: Path, lang: str = "fr") -> Path:
    """The site in `root`; returns it."""
    documents = DOCUMENTS_FR if lang == "fr" else DOCUMENTS_EN
    assets = root / "assets" / "scopekb"
    assets.mkdir(parents=True, exist_ok=True)
    for name in ("search.js", "search.css"):
        shutil.copy(ASSETS / name, assets / name)
    for rel, text in build_search_index(documents, lang).files().items():
        (root / rel).write_text(text, encoding="utf-8")
    (root / STRINGS_FILE).write_text(strings_script(lang), encoding="utf-8")
    pages = {"index.html": "Accueil", "standalone.html": "Sans en-tête"}
    pages.update({d.url + ("index.html" if d.url.endswith("/") else ""): d.title for d in documents})
    for rel, title in pages.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        base = "../" * rel.count("/")
        path.write_text(page_html(title, base, lang, header=rel != "standalone.html"), encoding="utf-8")
    return root
