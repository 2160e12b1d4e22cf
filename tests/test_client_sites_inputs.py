"""The keys client sites add to the formats: `client.lang` in a contract, `internal` on a provider's team."""
from __future__ import annotations

import pytest

from scopekb.errors import InputError
from scopekb.kb.load import load_knowledge_base

from kb_builder import PROVIDER, build_kb, write_kb

CONTRACT = """\
    id: {id}
    client: {{name: Alpha Conseil{lang}}}
    signed: 2025-01-10
    services: [incident]
    scope: [{{category: office, level: n1}}]
"""


def contract(id: str = "CTR-1", lang: str | None = None) -> str:
    return CONTRACT.format(id=id, lang=f", lang: {lang}" if lang else "")


def errors(tmp_path, *contracts: str, provider: str = PROVIDER) -> list[str]:
    root = write_kb(tmp_path / "kb", {f"c{n}.yaml": text for n, text in enumerate(contracts)}, provider)
    with pytest.raises(InputError) as raised:
        load_knowledge_base(root, use_cache=False)
    return raised.value.messages


def test_client_lang_is_the_language_of_its_site(tmp_path):
    kb = build_kb(tmp_path, contract(lang="en"))
    assert kb.clients["alpha-conseil"].lang == "en"
    assert build_kb(tmp_path, contract()).clients["alpha-conseil"].lang is None


def test_client_lang_is_fr_or_en(tmp_path):
    assert errors(tmp_path, contract(lang="de")) == [
        "contracts/c0.yaml:2: client.lang: 'de' is not allowed (expected one of fr, en)"]


def test_the_contracts_of_a_client_set_one_language(tmp_path):
    # two contracts of one client: one may leave the key out, but two languages are an error
    kb = build_kb(tmp_path, contract("CTR-1", "en"), contract("CTR-2"))
    assert kb.clients["alpha-conseil"].lang == "en"
    assert errors(tmp_path, contract("CTR-1", "en"), contract("CTR-2", "fr")) == [
        "contracts/c1.yaml:2: client.lang: 'fr' differs from 'en' set by contracts/c0.yaml for the same client "
        "(expected one language per client)"]


def test_a_team_may_be_internal_but_not_the_helpdesk(tmp_path):
    provider = PROVIDER.replace("boss: {name: Support Manager}", "boss: {name: Support Manager, internal: true}")
    kb = build_kb(tmp_path, contract(), provider=provider)
    assert kb.provider.teams["boss"].internal and not kb.provider.teams["n2-sys"].internal
    provider = PROVIDER.replace('phone: "01 00 00 00 01"}', 'phone: "01 00 00 00 01", internal: true}')
    assert errors(tmp_path, contract(), provider=provider) == [
        "contracts/provider.yaml:3: teams.helpdesk.internal: the helpdesk is the team clients call: it cannot be "
        "internal (expected false, or no key)"]
    provider = PROVIDER.replace("boss: {name: Support Manager}", "boss: {name: Support Manager, internal: yes please}")
    assert errors(tmp_path, contract(), provider=provider) == [
        "contracts/provider.yaml:7: teams.boss.internal: 'yes please' is not a boolean (expected true or false)"]
