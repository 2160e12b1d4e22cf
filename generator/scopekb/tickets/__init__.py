"""Closed tickets become resolution scenarios: read the exports, map them, scrub them, mine them.

The entry point is `mine_knowledge_base(root, kb, lang)`: pure, it reads
`root/content/tickets/` and returns a `MiningResult`. The stages are modules
of their own (read, mapping, scrub, mine, scenarios), usable alone.

The names below are imported when first used (PEP 562): mining needs numpy,
SciPy and scikit-learn, seconds of imports that a site without exports, or
whose scenarios come from the cache (facts.py), never pays.
"""
from __future__ import annotations

import importlib

_WHERE = {
    "MiningResult": "pipeline", "Unmapped": "pipeline", "kb_contacts": "pipeline",
    "mine_knowledge_base": "pipeline", "mine_tickets": "pipeline", "new_article_command": "pipeline",
    "read_export": "read", "read_tickets": "read",
    "MiningSettings": "records", "ReadResult": "records", "Scenario": "records", "Ticket": "records",
    "Scrubber": "scrub", "scrub_text": "scrub",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
