"""Closed tickets become resolution scenarios: read the exports, map them, scrub them, mine them.

The entry point is `mine_knowledge_base(root, kb, lang)`: pure, it reads
`root/content/tickets/` and returns a `MiningResult`. The stages are modules
of their own (read, mapping, scrub, mine, scenarios), usable alone.
"""
from .mine import MiningSettings
from .pipeline import MiningResult, Unmapped, kb_contacts, mine_knowledge_base, mine_tickets, new_article_command
from .read import read_export, read_tickets
from .records import ReadResult, Ticket
from .scenarios import Scenario
from .scrub import Scrubber, scrub_text

__all__ = ["MiningResult", "MiningSettings", "ReadResult", "Scenario", "Scrubber", "Ticket", "Unmapped",
           "kb_contacts", "mine_knowledge_base", "mine_tickets", "new_article_command", "read_export",
           "read_tickets", "scrub_text"]
