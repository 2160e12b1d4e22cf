"""Small knowledge bases written as YAML, for tests that read like the spec.

Each test writes a provider and a few contracts into its own folder and loads
them through the real loader (scopekb.load.load_knowledge_base), so what is
tested is what `scopekb check` would see.
"""
from __future__ import annotations

import datetime as dt
import itertools
import textwrap
from pathlib import Path

from scopekb.decide import Request, decide
from scopekb.load import load_knowledge_base
from scopekb.model import KnowledgeBase

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
