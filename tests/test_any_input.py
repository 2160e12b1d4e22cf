"""Whatever bytes a contract file holds, loading ends in a knowledge base or in error lines.

Never another exception (which the CLI would show as a traceback), and every
error line names the file, a line and a key.
"""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_builder import PROVIDER
from scopekb.errors import InputError
from scopekb.kb.load import load_knowledge_base

# the key is a path of plain keys and indexes, an odd key quoted: `scope[0]."ca tegory"`
ERROR_LINE = re.compile(r'^contracts/[^:]+\.yaml:\d+: (?:[\w\[\].-]|"(?:[^"\\]|\\.)*")+: .+ \(expected .+\)$')

VALID = """\
id: CTR-1
client: {name: Alpha, aliases: [AL]}
signed: 2025-01-01
services: [incident]
scope:
  - {category: office, level: n1, items: [Word]}
"""

# Pieces of YAML that, shuffled and cut, make the broken files maintainers really write.
PIECES = ["id:", " CTR-1", "\n", "  ", "\t", "- ", "client:", "{name: X", "}", "[", "]", "&a ", "*a", "!!python/name:os.system",
          "signed: 2025-02-30", "scope:", "category: office", "level: n3", ": ", "'", '"', "#", "---", "...", "\x00",
          "é", "\ufeff", "<<: *a", "? ", "|", ">", "~", "null", "2025-01-01", "services: []"]


def write(tmp_path: Path, data: bytes) -> Path:
    root = tmp_path / "kb"
    (root / "contracts").mkdir(parents=True, exist_ok=True)
    (root / "contracts" / "provider.yaml").write_text(PROVIDER, encoding="utf-8")
    (root / "contracts" / "c.yaml").write_bytes(data)
    return root


def loads_or_reports(root: Path) -> None:
    try:
        load_knowledge_base(root, use_cache=False)
    except InputError as error:
        assert error.messages
        for line in error.messages:
            assert ERROR_LINE.match(line), line


settings_ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings_
@given(st.binary(max_size=300))
def test_any_bytes(tmp_path, data):
    loads_or_reports(write(tmp_path, data))


@settings_
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_any_yaml_like_text(tmp_path, pieces):
    loads_or_reports(write(tmp_path, "".join(pieces).encode("utf-8")))


@settings_
@given(st.integers(0, len(VALID)), st.integers(0, len(VALID)), st.sampled_from(PIECES))
def test_a_valid_contract_cut_or_spliced(tmp_path, start, end, piece):
    broken = VALID[:min(start, end)] + piece + VALID[max(start, end):]
    loads_or_reports(write(tmp_path, broken.encode("utf-8")))
