"""The data the in-browser checker needs: one part shared by the site, one per client page.

The checker (site_templates/assets/checker.js) is a port of `decide`; it gets
exactly what `decide` reads for the client of its page. What every client
shares (catalogue, sentences, the form's words, default teams) is one asset of
the site, `SHARED_ASSET`, which the browser loads once and keeps; a client page
embeds only that client's part (its names, contracts and teams) and nothing
about any other client, since a page must never reveal another client's
contracts. Keeping the shared part out of the pages also keeps them small: it
was most of a client page's bytes, written and indexed once per client.
"""
from __future__ import annotations

import datetime as dt
import json

from scopekb.words import catalogue, groups
from scopekb.kb.model import Client, KnowledgeBase

FORMAT_VERSION = 2
SHARED_ASSET = "assets/scopekb/checker-shared.js"
SHARED_GLOBAL = "scopekbCheckerShared"

def form_labels(lang: str) -> dict[str, str]:
    """The words of the checker's form: the `checker.` entries of the catalogue (scopekb.words)."""
    prefix = "checker."
    return {key[len(prefix):]: text for key, text in catalogue(lang).items() if key.startswith(prefix)}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _team_ids(kb: KnowledgeBase, client: Client) -> list[str]:
    """Only the teams a verdict for this client can name, in the provider's order."""
    wanted = {"helpdesk", kb.provider.escalation, kb.provider.installation}
    for contract in client.contracts:
        if contract.escalate_to:
            wanted.add(contract.escalate_to)
        wanted.update(entry.team for entry in contract.scope if entry.team)
    return [team_id for team_id in kb.provider.teams if team_id in wanted]


# (knowledge base, client slug -> the normal forms naming it, sorted) of the last site rendered:
# one pass over every name rather than one per client page.
_NAMES: list[tuple[KnowledgeBase, dict[str, list[str]]]] = []


def _names_by_client(kb: KnowledgeBase) -> dict[str, list[str]]:
    if not _NAMES or _NAMES[0][0] is not kb:
        by_client: dict[str, list[str]] = {}
        for form, slug in kb.names.items():
            by_client.setdefault(slug, []).append(form)
        _NAMES[:] = [(kb, {slug: sorted(set(forms)) for slug, forms in by_client.items()})]
    return _NAMES[0][1]


def shared_data(kb: KnowledgeBase, lang: str) -> dict:
    """What `decide` reads that is the same for every client, as JSON-ready values."""
    provider = kb.provider
    return {
        "version": FORMAT_VERSION,
        "lang": lang,
        # The whole catalogue, in order: any label or keyword can be what a caller says.
        "catalog": [
            {"id": cat.id, "label": cat.label, "kind": cat.kind, "keywords": list(cat.keywords)}
            for cat in provider.catalog.values()
        ],
        "defaults": {"escalation": provider.escalation, "installation": provider.installation},
        # the sentences decide() says, so that the checker says them exactly as `scopekb check` does
        "messages": groups(lang, "verdict.", "kind.", "reason.", "question.", "action.", "word."),
        "labels": form_labels(lang),
    }


def client_data(kb: KnowledgeBase, client: Client) -> dict:
    """What `decide` reads about `client` alone (dates as ISO strings): nothing of any other client."""
    provider = kb.provider
    names = _names_by_client(kb).get(client.slug, [])
    contracts = [
        {
            "id": c.id,
            "signed": _iso(c.signed),
            "start": _iso(c.start),
            "end": _iso(c.end),
            "services": list(c.services),
            "remote_installation": c.remote_installation,
            "scope": [
                {"category": e.category, "level": e.level, "team": e.team, "items": list(e.items)}
                for e in c.scope
            ],
            "policy": c.policy,
            "equipment": [
                {"id": a.id, "category": a.category, "model": a.model, "acquired": _iso(a.acquired)}
                for a in c.equipment
            ],
            "escalate_to": c.escalate_to,
            "may_propose": list(c.may_propose),
        }
        for c in client.contracts
    ]
    return {
        "client": {"slug": client.slug, "name": client.name, "names": names},
        "contracts": contracts,
        "teams": {
            team_id: {"name": provider.teams[team_id].name, "phone": provider.teams[team_id].phone}
            for team_id in _team_ids(kb, client)
        },
    }


def checker_data(kb: KnowledgeBase, client: Client, lang: str) -> dict:
    """Everything `decide` reads for `client`: the data checker.js works from once a page is loaded."""
    return {**shared_data(kb, lang), **client_data(kb, client)}


def _script_safe_json(value: object) -> str:
    """Compact JSON that is safe inside a `<script>` element and as JavaScript source.

    `<`, `>` and `&` are written as JSON escapes so that no data (a client called
    `</script>`, say) can end the script element or become markup; U+2028 and
    U+2029 too, which older JavaScript engines take for line ends.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def client_json(kb: KnowledgeBase, client: Client) -> str:
    """`client_data` as it sits in the client page, in `<script type="application/json">`."""
    return _script_safe_json(client_data(kb, client))


def shared_script(kb: KnowledgeBase, lang: str) -> str:
    """The site's `SHARED_ASSET`: a script that hands `shared_data` to checker.js.

    A script rather than a JSON file that checker.js would fetch: it loads from
    file:// too, and before checker.js starts.
    """
    return f"window.{SHARED_GLOBAL} = {_script_safe_json(shared_data(kb, lang))};\n"


def checker_html(kb: KnowledgeBase, client: Client) -> str:
    """The element the checker builds its form in, and this client's data, for a client page.

    The page must also load `SHARED_ASSET` and then `assets/scopekb/checker.js`
    (the site adds both to every page).
    """
    return (
        f'<div id="scopekb-checker" class="scopekb-checker" data-client="{_attr(client.slug)}"></div>\n'
        f'<script type="application/json" id="scopekb-checker-data">{client_json(kb, client)}</script>\n'
    )


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;")
            .replace("<", "&lt;").replace(">", "&gt;"))
