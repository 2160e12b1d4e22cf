"""How long reading, scrubbing and mining closed tickets takes, and how much memory, at 10,000 and 100,000.

    python bench/mining.py                 # both counts, each in a fresh process
    python bench/mining.py --count 20000   # one count

Tickets are drawn from the labeled set's paraphrase banks (tests/data/tickets/
labeled), written as one GLPI CSV export (French labels, every quirk) in a
temporary folder, then read, mapped, scrubbed and mined against the example
knowledge base of this repository. A fifth of the tickets are one-off
problems, written in made-up words. Prints figures; asserts nothing. The goal: 100,000 in 30 s or less
on a 2-core machine.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "generator"))
sys.path.insert(0, str(REPO / "tests" / "data" / "tickets" / "labeled"))

import make_labeled  # noqa: E402
from labeled_banks import MALFUNCTIONS, SINGLETONS  # noqa: E402

OVERRIDES = {"Comptes utilisateurs": "workstations"}


SYLLABLES = ["ba", "cor", "di", "fen", "ga", "lu", "mor", "ni", "pa", "quo", "ra", "sel", "ti", "vu", "zan",
             "bri", "clo", "dra", "fli", "gro", "pla", "tri", "vel", "mon", "sar"]


def made_up_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def one_off(rng: random.Random) -> tuple[str, str, str, str]:
    """A problem seen once: a singleton's category, and a title, description and solution of made-up words
    (so that it resembles no other ticket more than unrelated tickets do)."""
    path = rng.choice(SINGLETONS)[0]
    title = " ".join(made_up_word(rng) for _ in range(5)).capitalize()
    description = " ".join(made_up_word(rng) for _ in range(25)) + "."
    return path, title, description, " ".join(made_up_word(rng) for _ in range(8)) + "."


def write_export(path: Path, count: int, seed: int = 7) -> dict[str, str]:
    """`count` closed or solved tickets in one GLPI CSV file; returns each ticket's malfunction ("none" for
    a one-off), by id."""
    rng = random.Random(seed)
    labels = list(MALFUNCTIONS)
    truth: dict[str, str] = {}
    header = ";".join(make_labeled.cell(h) for h in make_labeled.HEADER) + ";"
    with open(path, "w", encoding="utf-8-sig", newline="\n") as out:
        out.write(header + "\n")
        for number in range(1, count + 1):
            if rng.random() < 0.2:
                ticket = make_labeled.make_ticket(rng, "none", *one_off(rng))
            else:
                label = rng.choice(labels)
                bank = MALFUNCTIONS[label]
                ticket = make_labeled.make_ticket(
                    rng, label, rng.choice(bank["paths"]), rng.choice(bank["titles"]),
                    rng.choice(bank["descriptions"]), rng.choice(bank["solutions"]))
            ticket["Statut"] = "Clos" if ticket["Statut"] not in ("Clos", "Résolu") else ticket["Statut"]
            if not ticket["Date de résolution"]:
                ticket["Date de résolution"] = ticket["Date d'ouverture"]
            values = [make_labeled.glpi_id(number, rng)] + [ticket[h] for h in make_labeled.HEADER[1:]]
            out.write(";".join(make_labeled.cell(v) for v in values) + ";\n")
            truth[str(number)] = ticket["label"]
    return truth


def pairwise(scenarios, mined: set[str], truth: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of the scenarios against the generated labels, over the mined tickets,
    counted from the contingency table (no list of pairs: 100,000 tickets have billions)."""
    def pairs(n: int) -> int:
        return n * (n - 1) // 2

    together = Counter()  # (scenario, label) -> tickets
    for number, scenario in enumerate(scenarios):
        for ticket in scenario.tickets:
            together[(number, truth[ticket])] += 1
    hits = sum(pairs(n) for (_, label), n in together.items() if label != "none")
    predicted = sum(pairs(s.occurrences) for s in scenarios)
    true = sum(pairs(n) for label, n in Counter(truth[t] for t in mined).items() if label != "none")
    return hits / max(1, predicted), hits / max(1, true)


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes (the machine may be shared: wall time
    then says more about the neighbours than about the code)."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def measure(count: int) -> dict:
    """Write `count` tickets, then time read + map + scrub + mine in this process."""
    from scopekb.kb.load import load_knowledge_base
    from scopekb.tickets import mine_tickets, read_tickets
    from scopekb.tickets.mapping import TicketMapper

    kb = load_knowledge_base(REPO, use_cache=False)
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "tickets.csv"
        truth = write_export(export, count)
        size = export.stat().st_size
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start, cpu_start = time.perf_counter(), _cpu_seconds()
        read = read_tickets(Path(folder))
        read_s = time.perf_counter() - start
        result = mine_tickets(read.tickets, kb, overrides=OVERRIDES, read=read)
        total, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
        mapper = TicketMapper(kb, OVERRIDES)
        mined = {t.id for t in read.tickets if mapper.map(t).category}
        precision, recall = pairwise(result.scenarios, mined, truth)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"count": count, "file_mb": round(size / 1e6, 1), "read_s": round(read_s, 2),
            "map_scrub_mine_s": round(total - read_s, 2), "total_s": round(total, 2), "cpu_s": round(cpu, 2),
            "load_average": round(os.getloadavg()[0], 1),
            "peak_rss_mb": round(peak / 1024), "rss_before_mb": round(before / 1024),
            "worker_peak_rss_mb": round(workers_peak / 1024),
            "scenarios": result.counts["scenarios"], "in_scenarios": result.counts["in-scenarios"],
            "mined": result.counts["mined"], "problems": len(result.problems),
            "precision": round(precision, 3), "recall": round(recall, 3)}


def measure_streaming(count: int) -> dict:
    """Read `count` tickets without keeping them: the memory reading itself needs, whatever the file's size."""
    from scopekb.tickets import Ticket, read_export

    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "tickets.csv"
        write_export(export, count)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        seen = sum(1 for item in read_export(export)[1] if isinstance(item, Ticket))
        elapsed = time.perf_counter() - start
        size = export.stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"count": seen, "file_mb": round(size / 1e6, 1), "read_s": round(elapsed, 2),
            "peak_rss_mb": round(peak / 1024), "rss_before_mb": round(before / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, help="one count, measured in this process")
    parser.add_argument("--streaming", action="store_true", help="with --count: read only, keeping nothing")
    args = parser.parse_args()
    if args.count:
        print(json.dumps(measure_streaming(args.count) if args.streaming else measure(args.count)))
        return
    results = []
    for count in (10_000, 100_000):
        # each count in a fresh process, so that its peak memory is its own
        done = subprocess.run([sys.executable, __file__, "--count", str(count)], capture_output=True, text=True)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            sys.exit(done.returncode)
        results.append(json.loads(done.stdout))
    for r in results:
        print(f"{r['count']:>7} tickets ({r['file_mb']} MB): read {r['read_s']} s, map+scrub+mine "
              f"{r['map_scrub_mine_s']} s, total {r['total_s']} s (CPU {r['cpu_s']} s, load average "
              f"{r['load_average']}); peak RSS {r['peak_rss_mb']} MB "
              f"(before {r['rss_before_mb']} MB, largest worker {r['worker_peak_rss_mb']} MB); "
              f"{r['scenarios']} scenarios holding {r['in_scenarios']} of {r['mined']} mined tickets; "
              f"{r['problems']} problems; pairwise precision {r['precision']}, recall {r['recall']} "
              f"against the generated labels")
    small, large = results
    print(f"x{large['count'] / small['count']:.0f} tickets: time x{large['total_s'] / small['total_s']:.1f}, "
          f"CPU x{large['cpu_s'] / small['cpu_s']:.1f}, peak memory x{large['peak_rss_mb'] / small['peak_rss_mb']:.1f}")
    for count in (10_000, 100_000):
        done = subprocess.run([sys.executable, __file__, "--count", str(count), "--streaming"],
                              capture_output=True, text=True, check=True)
        r = json.loads(done.stdout)
        print(f"reading alone, keeping nothing: {r['count']} tickets ({r['file_mb']} MB) in {r['read_s']} s, "
              f"peak RSS {r['peak_rss_mb']} MB (before {r['rss_before_mb']} MB)")


if __name__ == "__main__":
    main()
