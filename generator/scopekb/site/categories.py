"""A page per catalogue category: the clients whose contracts in force cover it, its articles and its
resolution scenarios; and what an article's page says of its categories. No MkDocs here.
"""
from __future__ import annotations

from markupsafe import escape

from scopekb.kb.model import Article, Category
from scopekb.site.context import Fields, SiteContext, category_page, client_html, depth_of, html_page, page_url, render_html
from scopekb.site.scenarios import category_scenarios

ARTICLE_CLIENTS = 30  # clients named at the foot of an article: the category's page lists them all


def covering(site: SiteContext, category: str) -> list[Fields]:
    """(client, contract, level, team) of every contract in force today whose scope holds `category`."""
    rows = []
    for client in site.kb.clients.values():
        for contract in client.in_force(site.today):
            entry = next((e for e in contract.scope if e.category == category), None)
            if entry is not None:
                rows.append(Fields(slug=client.slug, name=client.name, contract=contract.id,
                                   level=entry.level.upper(), team=site.team(entry.team or "helpdesk")))
    return rows


def category_body(site: SiteContext, category: Category) -> str:
    depth = depth_of(page_url(category_page(category.id), site.directory_urls))
    rows = covering(site, category.id)
    for row in rows:
        row.url = "../" * depth + client_html(row.slug)
    articles = [(site.url(a.page, depth), a.title) for a in site.articles_by_category.get(category.id, ())]
    return render_html("category.html.j2", t=site.t, w=site.w, colon=site.w["word.colon"], heading=site.heading,
                       category=category, rows=rows, articles=articles, date=site.today.isoformat(),
                       scenarios=category_scenarios(site, category.id, depth))


def category_pages(site: SiteContext) -> dict[str, str]:
    """Each category's page, a title and HTML (html_page), by path in the docs folder."""
    return {category_page(cid): html_page(category.label, category_body(site, category))
            for cid, category in site.kb.provider.catalog.items()}


def article_footer(site: SiteContext, article: Article) -> str:
    """The HTML put at the foot of an article's page: its categories, and the clients that cover them."""
    depth = depth_of(page_url(article.page, site.directory_urls))
    catalog = site.kb.provider.catalog
    categories = str(escape(site.t("word.list-sep"))).join(
        f'<a href="{escape(site.url(category_page(c), depth))}">{escape(catalog[c].label)}</a>'
        for c in article.categories)
    clients = {row.slug: row.name for c in article.categories for row in covering(site, c)}
    named = "".join(f'<li><a href="{"../" * depth}{escape(client_html(slug))}">{escape(name)}</a></li>'
                    for slug, name in list(clients.items())[:ARTICLE_CLIENTS])
    more = len(clients) - ARTICLE_CLIENTS
    lines = ['<div class="scopekb-article-links">',
             f'<p><strong>{site.w["article.categories"]}</strong>{site.w["word.colon"]} {categories}</p>',
             f'<p><strong>{site.w["article.clients"]}</strong>{site.w["word.colon"]} '
             f'{escape(site.t("article.clients-count", n=len(clients)))}</p>']
    if named:
        lines.append(f'<ul class="scopekb-article-links__clients">{named}</ul>')
    if more > 0:
        lines.append(f'<p>{escape(site.t("client.articles-more", n=more))}</p>')  # the category's page lists all
    lines.append("</div>")
    return "\n".join(lines)
