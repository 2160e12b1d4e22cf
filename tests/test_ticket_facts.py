"""The tickets' facts a site shows (tickets/facts.py): mined once, kept while nothing they came from changed,
and the calls outside each client's contracts as `check` would decide them."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from kb_builder import ALPHA, write_kb
from scopekb.kb.load import load_knowledge_base
from scopekb.tickets import facts, mine_knowledge_base

REPO = Path(__file__).resolve().parents[1]
LABELED = REPO / "tests" / "data" / "tickets" / "labeled" / "labeled.glpi.csv"

# Alpha Conseil (kb_builder.ALPHA, signed 2025-01-10, open-ended): office, printers and servers in scope.
EXPORT = """\
id,title,client,category,status,opened,resolved,requester,technician,level,description,solution
1,Imprimante hors ligne,ACO,Matériel > Imprimante,closed,2025-03-03 09:00,2025-03-03 09:30,Durand Marie,Martin Paul,n1,Rien ne sort,Spouleur redémarré
2,Imprimante hors ligne depuis ce matin,ACO,Matériel > Imprimante,closed,2025-03-03 10:00,2025-03-03 11:00,Durand Marie,Martin Paul,n1,Hors ligne,Spouleur redémarré
3,L'imprimante apparaît hors ligne,ACO,Matériel > Imprimante,solved,2025-03-04 09:00,2025-03-04 09:30,Petit Luc,Martin Paul,n1,Hors ligne,Spouleur redémarré
4,Wifi coupé,ACO,Réseau > Wi-Fi,closed,2025-03-04 09:00,2025-03-04 09:30,Petit Luc,Martin Paul,n1,Le wifi coupe,Borne redémarrée
5,Wifi qui décroche,ACO,Réseau > Wi-Fi,new,2025-03-05 09:00,,Petit Luc,,,Le wifi coupe,
6,Imprimante bloquée,ACO,Matériel > Imprimante,closed,2024-12-20 09:00,2024-12-20 09:30,Petit Luc,Martin Paul,n1,Rien ne sort,Relancée
7,Toner vide,Jean Inconnu SARL jean@exemple.fr,Matériel > Imprimante,closed,2025-03-05 09:00,2025-03-05 09:30,Inconnu Jean,Martin Paul,n1,Toner,Changé
"""


@pytest.fixture()
def root(tmp_path) -> Path:
    root = write_kb(tmp_path / "kb", {"alpha.yaml": ALPHA})
    (root / "content" / "tickets").mkdir(parents=True)
    (root / "content" / "tickets" / "export.csv").write_text(EXPORT, encoding="utf-8")
    return root


@pytest.fixture()
def aged(monkeypatch):
    """Exports written just now count as old enough to be kept (the cache's clock moved forward)."""
    real = facts.time_ns
    monkeypatch.setattr(facts, "time_ns", lambda: real() + 10 * facts.RACY_NS)


@pytest.fixture()
def mined(monkeypatch) -> list[Path]:
    """The roots mined (mine called), in order."""
    calls: list[Path] = []
    real = facts.mine

    def counting(root, *args, **kwargs):
        calls.append(Path(root))
        return real(root, *args, **kwargs)
    monkeypatch.setattr(facts, "mine", counting)
    return calls


def test_calls_outside_the_contracts_are_those_check_calls_so(root):
    kb = load_knowledge_base(root, use_cache=False)
    found, reused = facts.ticket_facts(root, kb, use_cache=False)
    assert not reused
    by_key = {(c.category, c.day): (c.calls, c.outside) for c in found.calls if c.client == "alpha-conseil"}
    assert by_key == {
        ("printers", dt.date(2025, 3, 3)): (2, 0),  # in scope
        ("printers", dt.date(2025, 3, 4)): (1, 0),
        ("network", dt.date(2025, 3, 4)): (1, 1),  # not in the perimeter: out-of-scope
        ("network", dt.date(2025, 3, 5)): (1, 1),  # an open ticket is a call too
        ("printers", dt.date(2024, 12, 20)): (1, 1),  # before the contract began: no-contract
    }
    assert found.counts["files"] == 1 and found.counts["read"] == 7 and found.counts["not-resolved"] == 1
    assert [s.occurrences for s in found.scenarios] == [4]  # the four printer tickets of Alpha
    # The unmapped client is listed, scrubbed with the ticket's own people and of its e-mail address.
    assert [(u.id, u.reason, u.value) for u in found.unmapped] == [("7", "unknown-client", "[nom] SARL [e-mail]")]


def test_unchanged_exports_and_knowledge_base_are_not_mined_again(root, aged, mined):
    kb = load_knowledge_base(root, use_cache=False)
    first, reused = facts.ticket_facts(root, kb)
    assert not reused and mined == [root] and (root / facts.CACHE_FILE).is_file()
    again, reused = facts.ticket_facts(root, load_knowledge_base(root))
    assert reused and mined == [root] and again == first


def test_a_changed_export_or_a_new_export_is_mined_again(root, aged, mined):
    kb = load_knowledge_base(root, use_cache=False)
    facts.ticket_facts(root, kb)
    export = root / "content" / "tickets" / "export.csv"
    export.write_text(EXPORT.replace("Rien ne sort", "Rien ne sort du tout"), encoding="utf-8")
    assert facts.ticket_facts(root, kb)[1] is False
    assert facts.ticket_facts(root, kb)[1] is True
    (root / "content" / "tickets" / "older.csv").write_text(EXPORT.splitlines()[0] + "\n", encoding="utf-8")
    assert facts.ticket_facts(root, kb)[1] is False
    assert len(mined) == 3
    assert facts.ticket_facts(root, kb, lang="en")[1] is False and len(mined) == 4  # the language is in the key


def test_a_contract_s_dates_or_perimeter_change_the_calls_not_the_mining(root, aged, mined):
    """The usual edit of a contract: its calls are decided again, what was mined is kept; the facts are
    those of mining everything again."""
    facts.ticket_facts(root, load_knowledge_base(root, use_cache=False))
    changed = write_kb(root, {"alpha.yaml": ALPHA.replace("signed: 2025-01-10", "signed: 2024-12-01")})
    kb = load_knowledge_base(changed, use_cache=False)
    again, reused = facts.ticket_facts(root, kb)
    assert not reused and len(mined) == 1
    assert {(c.day, c.outside) for c in again.calls if c.day == dt.date(2024, 12, 20)} == {(dt.date(2024, 12, 20), 0)}
    assert again == facts.ticket_facts(root, kb, use_cache=False)[0] and len(mined) == 2
    assert facts.ticket_facts(root, kb) == (again, True)


def test_a_new_name_or_contact_mines_again(root, aged, mined):
    """Tickets are placed by the names that name a client, and scrubbed of the contacts the provider lists."""
    facts.ticket_facts(root, load_knowledge_base(root, use_cache=False))
    assert "ACO" in ALPHA
    renamed = write_kb(root, {"alpha.yaml": ALPHA.replace("ACO", "ACX")})
    found, _ = facts.ticket_facts(root, load_knowledge_base(renamed, use_cache=False))
    assert len(mined) == 2 and {"1", "2", "3", "4"} <= {u.id for u in found.unmapped}  # ACO names no client now


def test_an_export_changed_within_the_clock_tick_is_not_kept(root, mined):
    kb = load_knowledge_base(root, use_cache=False)
    facts.ticket_facts(root, kb)
    facts.ticket_facts(root, kb)
    assert len(mined) == 2 and not (root / facts.CACHE_FILE).exists()


def test_a_broken_cache_is_made_again(root, aged, mined):
    kb = load_knowledge_base(root, use_cache=False)
    facts.ticket_facts(root, kb)
    (root / facts.CACHE_FILE).write_bytes(b"\x80\x05not a pickle")
    assert facts.ticket_facts(root, kb)[1] is False and len(mined) == 1  # what was mined is still kept
    assert facts.ticket_facts(root, kb)[1] is True
    for cache in (facts.CACHE_FILE, facts.MINED_FILE):
        (root / cache).write_bytes(b"\x80\x05not a pickle")
    assert facts.ticket_facts(root, kb)[1] is False and len(mined) == 2
    assert facts.ticket_facts(root, kb)[1] is True


def test_no_export_no_facts(tmp_path, mined):
    root = write_kb(tmp_path / "kb", {"alpha.yaml": ALPHA})
    kb = load_knowledge_base(root, use_cache=False)
    assert facts.ticket_facts(root, kb) == (None, True)
    (root / "content" / "tickets").mkdir(parents=True)
    (root / "content" / "tickets" / "README.md").write_text("Exports go here.\n", encoding="utf-8")
    assert facts.ticket_facts(root, kb) == (None, True) and mined == []


def test_the_same_knowledge_base_has_the_same_key_checked_or_read_from_the_cache(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(REPO / "contracts", root / "contracts")
    checked = load_knowledge_base(root, use_cache=False)
    old = 1_600_000_000
    for path in (root / "contracts").iterdir():
        os.utime(path, (old, old))  # the kb cache keeps a snapshot only of files not changed just now...
    load_knowledge_base(root)
    from scopekb.kb import cache
    real = cache.time_ns
    try:
        cache.time_ns = lambda: real() + 10 * cache.RACY_NS  # ...by its clock
        load_knowledge_base(root)
        snapshot = load_knowledge_base(root)
    finally:
        cache.time_ns = real
    assert type(snapshot.clients).__name__ == "ClientShelf"
    settings = facts.MiningSettings()
    assert facts.knowledge_key(checked, "fr", settings) == facts.knowledge_key(snapshot, "fr", settings)


def test_the_labeled_export_gives_what_mine_knowledge_base_gives(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(REPO / "contracts", root / "contracts")
    (root / "content" / "tickets").mkdir(parents=True)
    shutil.copy(LABELED, root / "content" / "tickets" / "glpi.csv")
    kb = load_knowledge_base(root, use_cache=False)
    found, _ = facts.ticket_facts(root, kb, use_cache=False)
    direct = mine_knowledge_base(root, kb)
    assert [s.id for s in found.scenarios] == [s.id for s in direct.scenarios]
    assert {k: v for k, v in found.counts.items() if k != "files"} == direct.counts
    assert len(found.unmapped) == sum(len(v) for v in direct.unmapped.values())
    assert sum(c.calls for c in found.calls) > direct.counts["mined"] - direct.counts.get("unknown-client", 0)


def test_facts_read_back_from_the_cache_import_none_of_the_mining_libraries(root, aged):
    """numpy, SciPy and scikit-learn take seconds to import: a build whose tickets did not change, or that
    has none, must not pay for them (tickets/__init__.py imports its names when used)."""
    import subprocess
    import sys

    kb = load_knowledge_base(root, use_cache=False)
    facts.ticket_facts(root, kb)
    script = ("import sys; from pathlib import Path; from scopekb.kb.load import load_knowledge_base; "
              "from scopekb.tickets.facts import ticket_facts; import scopekb.tickets; "
              f"root = Path({str(root)!r}); found, reused = ticket_facts(root, load_knowledge_base(root)); "
              "assert reused and found.scenarios, 'mined again'; "
              "print(sorted(m for m in ('numpy', 'scipy', 'sklearn', 'rapidfuzz') if m in sys.modules))")
    # the installed scopekb, as a user's process imports it
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
