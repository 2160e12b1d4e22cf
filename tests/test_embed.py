"""embed.py: a client page's checker data holds this client's contracts and nothing about any other
client; what every client shares is one asset of the site, with no client in it."""
from __future__ import annotations

import dataclasses
import json

from kb_builder import build_kb

from scopekb.site.checker_data import (SHARED_GLOBAL, checker_data, checker_html, client_data, client_json, form_labels,
                           shared_data, shared_script)
from scopekb.words import LANGUAGES, catalogue

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
OMEGA_WORDS = ("Omega", "OTR", "CTR-8", "SRV-8888", "OMEGA-ONLY", "PUBLIC-OMEGA", "SECRET-OMEGA")


def shared_json(script: str) -> dict:
    prefix = f"window.{SHARED_GLOBAL} = "
    assert script.startswith(prefix) and script.endswith(";\n")
    return json.loads(script[len(prefix):-2])


def test_only_this_clients_contracts_and_no_notes(tmp_path):
    kb = build_kb(tmp_path, MARKUP, OTHER)
    zeta = kb.find_client("ZB")
    text = client_json(kb, zeta)
    data = json.loads(text)
    assert [c["id"] for c in data["contracts"]] == ["CTR-7"]
    for foreign in (*OMEGA_WORDS, "SECRET-ZETA"):
        assert foreign.lower() not in text.lower(), foreign
    # Only the teams a verdict for this client can name: sales and n2-sys serve the other client.
    assert set(data["teams"]) == {"helpdesk", kb.provider.escalation, kb.provider.installation}
    # The page carries the client's part only: the catalogue and the sentences are the site's.
    assert set(data) == {"client", "contracts", "teams"}


def test_the_shared_part_names_no_client(tmp_path):
    kb = build_kb(tmp_path, MARKUP, OTHER)
    for lang in LANGUAGES:
        script = shared_script(kb, lang)
        for word in (*OMEGA_WORDS, "Zeta", "ZB", "CTR-7", "PRN-7", "imprimante <du> hall", "SECRET-ZETA"):
            assert word.lower() not in script.lower(), word
        assert shared_json(script) == shared_data(kb, lang)
        assert not {"client", "contracts", "teams"} & set(shared_data(kb, lang))


def test_what_decide_reads_is_there(tmp_path):
    kb = build_kb(tmp_path, MARKUP, OTHER)
    omega = kb.find_client("OTR")
    data = checker_data(kb, omega, "en")
    assert data == {**shared_data(kb, "en"), **client_data(kb, omega)}
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
    # every sentence decide() can say, in the site's language, and no other
    assert data["messages"]["verdict.handle"] == catalogue("en")["verdict.handle"]
    assert all(catalogue("en")[key] == text for key, text in data["messages"].items())
    assert not any(key.startswith(("finder.", "client.", "checker.")) for key in data["messages"])
    assert data["labels"] == form_labels("en") != form_labels("fr")
    assert data["lang"] == "en"


def test_data_never_becomes_markup(tmp_path):
    kb = build_kb(tmp_path, MARKUP, OTHER)
    zeta = kb.find_client("ZB")
    html = checker_html(kb, zeta)
    script = html[html.index("<script"):]
    body = script[script.index(">") + 1:script.rindex("</script>")]
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == client_data(kb, zeta)
    assert json.loads(body)["client"]["name"] == "Zeta </script><b>Bureau</b> & Co"
    assert html.count("</script>") == 1
    assert 'data-client="zeta-script-b-bureau-b-co"' in html


def test_the_shared_script_is_javascript_that_no_text_can_break(tmp_path):
    kb = build_kb(tmp_path, MARKUP, OTHER)
    label = "Imprimantes </script> & \u2028 <!--"
    kb.provider.catalog["printers"] = dataclasses.replace(kb.provider.catalog["printers"], label=label)
    script = shared_script(kb, "fr")
    assert not set(script) & {"<", ">", "&", "\u2028", "\u2029"}
    assert shared_json(script)["catalog"][1]["label"] == label


def test_form_words_exist_in_every_language():
    assert len({frozenset(form_labels(lang)) for lang in LANGUAGES}) == 1
    assert {"kind", "item", "asset", "date", "acquired", "verdict", "actions"} <= set(form_labels("fr"))
