"""A client's decision-tree page: the tree (coverage.tree) as nested lists of questions and answers."""
from __future__ import annotations

from markupsafe import Markup, escape

from scopekb.coverage.decide import Decision
from scopekb.coverage.tree import Leaf, Node, build_tree
from scopekb.kb.model import Client
from scopekb.site.context import SiteContext, client_html, render_html, url_part


LEAF_ARTICLES = 5  # articles linked from a leaf, the first of its category: more are on the category's page


class TreeHtml:
    """A tree as nested lists; a leaf met again on the page is rendered once.

    Plain concatenation of escaped parts rather than a template: a tree has
    hundreds of nodes, and a site thousands of trees.
    """

    def __init__(self, site: SiteContext):
        self.site = site
        self.leaves: dict[tuple, Markup] = {}
        t, colon = site.t, site.colon
        self.labels = {key: escape(t(f"tree.{key}") + colon) for key in ("verdict", "team", "reason")}
        self.actions_label = escape(t("tree.actions"))
        self.articles_label = escape(t("tree.articles"))

    def node(self, node: Node) -> Markup:
        if isinstance(node, Leaf):
            return self.leaf(node.decision)
        answers = "".join(f'<li><p class="scopekb-answer">{escape(answer.label)}</p>\n{self.node(answer.node)}</li>\n'
                          for answer in node.answers)
        return Markup(f'<div class="scopekb-question">\n<p class="scopekb-question__text">{escape(node.text)}</p>\n'
                      f'<ul class="scopekb-question__answers">\n{answers}</ul>\n</div>\n')

    def leaf(self, decision: Decision) -> Markup:
        key = (decision.verdict, decision.team, decision.reasons, decision.actions)
        if key not in self.leaves:
            site, labels = self.site, self.labels
            verdict = escape(site.say(f"verdict.{decision.verdict}"))
            team = (f' · <span class="scopekb-leaf__label">{labels["team"]}</span> {escape(site.team(decision.team))}'
                    if decision.team else "")
            reasons = "".join(escape(text) for _, text in decision.reasons)
            actions = "".join(f"<li>{escape(action)}</li>\n" for action in decision.actions)
            articles = self.articles(decision.category) if decision.verdict in ("handle", "route") else ""
            self.leaves[key] = Markup(
                f'<div class="scopekb-leaf scopekb-leaf--{escape(decision.verdict)}">\n'
                f'<p class="scopekb-leaf__verdict"><span class="scopekb-leaf__label">{labels["verdict"]}</span> '
                f'<strong>{verdict}</strong>{team}</p>\n'
                f'<p class="scopekb-leaf__reason"><span class="scopekb-leaf__label">{labels["reason"]}</span> '
                f'{reasons}</p>\n'
                f'<ol class="scopekb-leaf__actions" aria-label="{self.actions_label}">\n{actions}</ol>\n{articles}</div>')
        return self.leaves[key]

    def articles(self, category: str | None) -> str:
        """Links to the articles of the leaf's category, for the technician who handles the request."""
        links = self.site.article_links(category, from_depth=1, limit=LEAF_ARTICLES) if category else []
        if not links:
            return ""
        items = "".join(f'<li><a href="{escape(url)}">{escape(title)}</a></li>' for url, title in links)
        return f'<p class="scopekb-leaf__label">{self.articles_label}</p>\n<ul class="scopekb-leaf__articles">{items}</ul>\n'



def tree_body(site: SiteContext, client: Client) -> str:
    """The HTML of a client's decision-tree page under its title, as `split_html_page` gives it."""
    tree = TreeHtml(site).node(build_tree(site.kb, client, site.lang, site.today))
    body = render_html("tree.html.j2", t=site.t, client=client, date=site.today.isoformat(), tree=tree,
                       client_url="../" + client_html(url_part(client.slug)))
    return f"{body}\n"


def tree_title(site: SiteContext, client: Client) -> str:
    return site.t("tree.title", client=client.name)
