"""embed.py: the checker's data holds this client's contracts and nothing about any other client."""
from __future__ import annotations

import json

from kb_builder import build_kb

from scopekb.embed import FORM_LABELS, checker_data, checker_html, checker_json
from scopekb.i18n import LANGUAGES, MESSAGES

MARKUP = """\
    id: CTR-7
    client: {name: "Zeta </script><b>Bureau</b> & Co", aliases: [ZB]}
    signed: 2025-01-10
    services: [incident]
    scope:
      - {category: printers, level: n1, items: ["imprimante <du> hall"]}
    equipment:
      policy: acquired-before-signature
      items:
        - {id: PRN-7, category: printers, model: Brother HL-L5100DN, acquired: 2024-02-01}
    internal_notes: "SECRET-ZETA"
"""
OTHER = """\
    id: CTR-8
    client: {name: Omega Transports, aliases: [OTR]}
    signed: 2025-02-01
    end: 2026-01-31
    services: [incident, change]
    scope:
      - {category: servers, level: n2, team: n2-sys, items: [serveur OMEGA-ONLY]}
    equipment:
      items:
        - {id: SRV-8888, category: servers, model: Dell PowerEdge T150}
    out_of_scope: {escalate_to: sales}
    public_notes: "PUBLIC-OMEGA"
    internal_notes: "SECRET-OMEGA"
"""


def test_only_this_clients_contracts_and_no_notes(tmp_path):
    kb = build_kb(tmp_path, MARKUP, OTHER)
    zeta = kb.find_client("ZB")
    text = checker_json(kb, zeta, "fr")
    data = json.loads(text)
    assert [c["id"] for c in data["contracts"]] == ["CTR-7"]
    for foreign in ("Omega", "OTR", "CTR-8", "SRV-8888", "OMEGA-ONLY", "PUBLIC-OMEGA", "SECRET-OMEGA", "SECRET-ZETA"):
        assert foreign.lower() not in text.lower(), foreign
    # Only the teams a verdict for this client can name: sales and n2-sys serve the other client.
    assert set(data["teams"]) == {"helpdesk", kb.provider.escalation, kb.provider.installation}


def test_what_decide_reads_is_there(tmp_path):
    kb = build_kb(tmp_path, MARKUP, OTHER)
    omega = kb.find_client("OTR")
    data = checker_data(kb, omega, "en")
    (contract,) = data["contracts"]
    assert contract == {
        "id": "CTR-8", "signed": "2025-02-01", "start": "2025-02-01", "end": "2026-01-31",
        "services": ["incident", "change"], "remote_installation": False,
        "scope": [{"category": "servers", "level": "n2", "team": "n2-sys", "items": ["serveur OMEGA-ONLY"]}],
        "policy": "all",
        "equipment": [{"id": "SRV-8888", "category": "servers", "model": "Dell PowerEdge T150", "acquired": None}],
        "escalate_to": "sales", "may_propose": [],
    }
    assert data["client"] == {"slug": "omega-transports", "name": "Omega Transports",
                              "names": ["omega transports", "otr"]}
    assert [c["id"] for c in data["catalog"]] == list(kb.provider.catalog)
    assert data["catalog"][1] == {"id": "printers", "label": "Printers", "kind": "hardware",
                                  "keywords": ["printer", "printers", "imprimante", "laser printer", "toner"]}
    assert data["defaults"] == {"escalation": kb.provider.escalation, "installation": kb.provider.installation}
    assert set(data["teams"]) == {"helpdesk", "boss", "onsite", "n2-sys", "sales"}
    assert data["teams"]["helpdesk"] == {"name": "Helpdesk N1", "phone": "01 00 00 00 01"}
    assert data["messages"] == MESSAGES["en"] and data["labels"] == FORM_LABELS["en"]
    assert data["lang"] == "en"


def test_data_never_becomes_markup(tmp_path):
    kb = build_kb(tmp_path, MARKUP, OTHER)
    zeta = kb.find_client("ZB")
    html = checker_html(kb, zeta, "fr")
    script = html[html.index("<script"):]
    body = script[script.index(">") + 1:script.rindex("</script>")]
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == checker_data(kb, zeta, "fr")
    assert json.loads(body)["client"]["name"] == "Zeta </script><b>Bureau</b> & Co"
    assert html.count("</script>") == 1
    assert 'data-client="zeta-script-b-bureau-b-co"' in html


def test_form_words_exist_in_every_language():
    assert set(FORM_LABELS) == set(LANGUAGES)
    assert len({frozenset(words) for words in FORM_LABELS.values()}) == 1
