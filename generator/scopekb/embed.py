"""The data the in-browser checker needs for one client, embedded in its page.

The checker (site_templates/assets/checker.js) is a port of `decide`; it gets
exactly what `decide` reads for this one client and nothing about any other
client, since a page must never reveal another client's contracts.
"""
from __future__ import annotations

import datetime as dt
import json

from .i18n import MESSAGES
from .model import Client, KnowledgeBase

FORMAT_VERSION = 1

# The words of the checker's form. Verdicts, reasons and actions come from
# `i18n.MESSAGES`, so the checker says them exactly as `scopekb check` does.
FORM_LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Vérifier la couverture d'une demande",
        "kind": "Type de demande",
        "subject": "Objet de la demande",
        "item": "Logiciel, matériel ou mot-clé",
        "item.hint": "Par exemple : Excel, imprimante laser, serveur de fichiers.",
        "asset": "Équipement",
        "asset.none": "(choisir un équipement)",
        "date": "Date de la demande",
        "acquired": "Date d'acquisition du matériel (facultative)",
        "verdict": "Verdict",
        "team": "Équipe",
        "contract": "Contrat",
        "category": "Catégorie",
        "reasons": "Motif",
        "actions": "Que faire",
        "question": "Question à poser",
        "none": "aucun",
    },
    "en": {
        "title": "Check a request's coverage",
        "kind": "Kind of request",
        "subject": "What the request concerns",
        "item": "Software, hardware or keyword",
        "item.hint": "For example: Excel, laser printer, file server.",
        "asset": "Asset",
        "asset.none": "(pick an asset)",
        "date": "Date of the request",
        "acquired": "Date the equipment was acquired (optional)",
        "verdict": "Verdict",
        "team": "Team",
        "contract": "Contract",
        "category": "Category",
        "reasons": "Reason",
        "actions": "What to do",
        "question": "Question to ask",
        "none": "none",
    },
}


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


def checker_data(kb: KnowledgeBase, client: Client, lang: str) -> dict:
    """Everything `decide` reads for `client`, as JSON-ready values (dates as ISO strings)."""
    provider = kb.provider
    names = sorted({form for form, slug in kb.names.items() if slug == client.slug})
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
        "version": FORMAT_VERSION,
        "lang": lang,
        "client": {"slug": client.slug, "name": client.name, "names": names},
        "contracts": contracts,
        # The whole catalogue, in order: any label or keyword can be what a caller says.
        "catalog": [
            {"id": cat.id, "label": cat.label, "kind": cat.kind, "keywords": list(cat.keywords)}
            for cat in provider.catalog.values()
        ],
        "teams": {
            team_id: {"name": provider.teams[team_id].name, "phone": provider.teams[team_id].phone}
            for team_id in _team_ids(kb, client)
        },
        "defaults": {"escalation": provider.escalation, "installation": provider.installation},
        "messages": dict(MESSAGES[lang]),
        "labels": dict(FORM_LABELS[lang]),
    }


def checker_json(kb: KnowledgeBase, client: Client, lang: str) -> str:
    """`checker_data` as compact JSON that is safe inside `<script type="application/json">`.

    `<`, `>` and `&` are written as JSON escapes so that no data (a client called
    `</script>`, say) can end the script element or become markup.
    """
    text = json.dumps(checker_data(kb, client, lang), ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def checker_html(kb: KnowledgeBase, client: Client, lang: str) -> str:
    """The element the checker builds its form in, and its data, for a client page.

    The page must also load `assets/checker.js` (the site adds it to every page).
    """
    return (
        f'<div id="scopekb-checker" class="scopekb-checker" data-client="{_attr(client.slug)}"></div>\n'
        f'<script type="application/json" id="scopekb-checker-data">{checker_json(kb, client, lang)}</script>\n'
    )


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;")
            .replace("<", "&lt;").replace(">", "&gt;"))
