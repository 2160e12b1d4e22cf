"""Small knowledge bases written as YAML, for tests that read like the spec.

Each test writes a provider and a few contracts into its own folder and loads
them through the real loader (scopekb.kb.load.load_knowledge_base), so what is
tested is what `scopekb check` would see.
"""
from __future__ import annotations

import datetime as dt
import itertools
import shutil
import textwrap
from pathlib import Path

from scopekb.coverage.decide import Request, decide
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import KnowledgeBase

REPO = Path(__file__).resolve().parents[1]


def example_root(folder: Path, extra_config: str = "") -> Path:
    """A copy of the repository's example knowledge base (mkdocs.yml, contracts/, content/) in `folder`,
    as a user's; `extra_config` is added to its mkdocs.yml."""
    shutil.copytree(REPO / "contracts", folder / "contracts")
    shutil.copytree(REPO / "content", folder / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", "")
    (folder / "mkdocs.yml").write_text(config + extra_config, encoding="utf-8")
    return folder


# A neutral provider: one category of each kind, teams named after what they do.
PROVIDER = """\
provider: {name: Test Services}
teams:
  helpdesk: {name: Helpdesk N1, phone: "01 00 00 00 01"}
  n2-sys: {name: N2 Systems}
  n2-apps: {name: N2 Applications}
  onsite: {name: On-site Installations}
  boss: {name: Support Manager}
  sales: {name: Sales Team}
defaults:
  escalation: boss
  installation: onsite
catalog:
  office:
    label: Office applications
    kind: software
    keywords: [word, excel, outlook]
  printers:
    label: Printers
    kind: hardware
    keywords: [printer, printers, imprimante, laser printer, toner]
  workstations:
    label: Workstations
    kind: hardware
    keywords: [pc, laptop]
  servers:
    label: Servers
    kind: hardware
    keywords: [server, file server]
  network:
    label: Network
    kind: network
    keywords: [router, wifi, réseau]
  training:
    label: Training
    kind: service
    keywords: [course]
"""

DAY = dt.date(2025, 6, 1)  # the date of most requests in the tests

_folders = itertools.count()


def mkdocs_yml(site_name: str, extensions: str = "") -> str:
    """A knowledge base's mkdocs.yml: Material in French, no web font, the scopekb plugin; `extensions`
    is the `markdown_extensions:` value (a YAML flow list) when given."""
    text = (f"site_name: {site_name}\ndocs_dir: content\nsite_dir: site/internal\n"
            "theme: {name: material, language: fr, font: false}\nplugins: [scopekb]\n")
    return text + (f"markdown_extensions: {extensions}\n" if extensions else "")


def write_kb(root: Path, contracts: dict[str, str], provider: str = PROVIDER) -> Path:
    """Write provider.yaml and contracts (file name -> YAML text) under root/contracts."""
    folder = root / "contracts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "provider.yaml").write_text(textwrap.dedent(provider), encoding="utf-8")
    for name, text in contracts.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def build_kb(tmp_path: Path, *contracts: str, provider: str = PROVIDER, names: list[str] | None = None
             ) -> KnowledgeBase:
    """Load a knowledge base made of these contract texts (files c0.yaml, c1.yaml... unless named)."""
    names = names or [f"c{i}.yaml" for i in range(len(contracts))]
    root = tmp_path / f"kb{next(_folders)}"
    write_kb(root, dict(zip(names, contracts)), provider)
    return load_knowledge_base(root, use_cache=False)


def check(kb: KnowledgeBase, client: str, lang: str = "fr", **request) -> dict:
    """The `--json` object for this request; the date defaults to DAY."""
    request.setdefault("date", DAY)
    return decide(kb, Request(client=client, **request), lang).as_json()


def codes(result: dict) -> list[str]:
    return [reason["code"] for reason in result["reasons"]]


# Shared by test_decide and test_matching: a client with office, printer and server entries.
ALPHA = """\
    id: CTR-1
    client: {name: Alpha Conseil, aliases: [ACO]}
    signed: 2025-01-10
    services: [incident, installation, information]
    scope:
      - {category: office, level: n1, items: [Word, Excel]}
      - {category: printers, level: n1}
      - {category: servers, level: n2, team: n2-sys}
    equipment:
      items:
        - {id: PRN-0042, category: printers, model: HP LaserJet 4250}
    out_of_scope:
      may_propose: [extension]
"""


def assert_verdict(result: dict, verdict: str, team: str | None, code: str, *, contract="", category=""):
    assert (result["verdict"], result["team"], codes(result)) == (verdict, team, [code]), result
    if contract != "":
        assert result["contract"] == contract, result
    if category != "":
        assert result["category"] == category, result
    if verdict == "ask":
        assert result["question"], result
    else:
        assert result["question"] is None, result


def hardware_contract(policy: str | None, acquired: str | None = None) -> str:
    """Eta Menuiserie's contract, signed 2025-03-15: printers, office, network; one printer PRN-1,
    a Brother HL-L5100DN acquired on `acquired`; `policy` None leaves equipment.policy out."""
    equipment = ""
    if policy is not None:
        equipment = f"    equipment:\n      policy: {policy}\n"
    asset = "{id: PRN-1, category: printers, model: Brother HL-L5100DN"
    asset += f", acquired: {acquired}}}" if acquired else "}"
    equipment = equipment or "    equipment:\n"
    return f"""\
    id: CTR-5
    client: {{name: Eta Menuiserie}}
    signed: 2025-03-15
    services: [incident, installation]
    scope:
      - {{category: printers, level: n1}}
      - {{category: office, level: n1}}
      - {{category: network, level: n1}}
{equipment}      items: [{asset}]
    out_of_scope:
      escalate_to: sales
"""
