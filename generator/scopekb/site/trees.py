"""A client's decision-tree page: the tree (coverage.tree) as nested lists of questions and answers."""
from __future__ import annotations

import datetime as dt
import itertools

from markupsafe import Markup, escape

from scopekb.coverage.decide import Decision
from scopekb.coverage.tree import Leaf, Node, build_tree
from scopekb.kb.model import Client, KnowledgeBase
from scopekb.site.context import SiteContext, render_html, tree_page


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
            self.leaves[key] = Markup(
                f'<div class="scopekb-leaf scopekb-leaf--{escape(decision.verdict)}">\n'
                f'<p class="scopekb-leaf__verdict"><span class="scopekb-leaf__label">{labels["verdict"]}</span> '
                f'<strong>{verdict}</strong>{team}</p>\n'
                f'<p class="scopekb-leaf__reason"><span class="scopekb-leaf__label">{labels["reason"]}</span> '
                f'{reasons}</p>\n'
                f'<ol class="scopekb-leaf__actions" aria-label="{self.actions_label}">\n{actions}</ol>\n</div>')
        return self.leaves[key]


def render_tree_page(site: SiteContext, client: Client) -> str:
    """The standalone HTML page of a client's decision tree (arbres/<slug>.html)."""
    root = "../"
    return render_html(
        "tree.html.j2", t=site.t, lang=site.lang, client=client, date=site.today.isoformat(), root=root,
        tree=TreeHtml(site).node(build_tree(site.kb, client, site.lang, site.today)),
        home_url=root + ("" if site.directory_urls else "index.html"),
        client_url=site.client_url(client.slug, from_depth=1),
        call_url=root + ("accueil-appel/" if site.directory_urls else "accueil-appel.html"))


def tree_pages(kb: KnowledgeBase, lang: str, today: dt.date, directory_urls: bool = True, start: int = 0):
    """(path, HTML) of each client's decision-tree page, a complete HTML document, from the `start`-th client."""
    site = SiteContext(kb, lang, today, directory_urls)
    for slug in itertools.islice(kb.clients, start, None):  # the clients skipped are not even read
        yield tree_page(slug), render_tree_page(site, kb.clients[slug])
