"""What closed tickets cost a site build: `scopekb build` at N clients, without exports, with a GLPI export of
T tickets mined, and again with the tickets unchanged (the mining's cache).

    python bench/scenarios_build.py                    # 1,000 clients, 10,000 tickets
    python bench/scenarios_build.py --clients 5000 --tickets 20000

The clients are bench/site_build.py's; the tickets bench/mining.py's (the labeled set's paraphrases, a fifth
one-off problems), each given to one of the clients at random. Each build runs in its own process and
prints its wall time; the export is written more than kb.cache.RACY_NS before the first build, so that its
facts can be kept. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "generator"))

import mining  # noqa: E402
import site_build  # noqa: E402

ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")  # the installed scopekb
_ENTITY = re.compile(r'"Entité racine > [^"]*"')


def write_tickets(root: Path, count: int, names: list[str], seed: int = 11) -> Path:
    """`count` tickets in content/tickets/glpi.csv, each of a client drawn from `names`."""
    folder = root / "content" / "tickets"
    folder.mkdir(parents=True, exist_ok=True)
    raw = folder / "raw.csv"
    mining.write_export(raw, count)
    rng = random.Random(seed)
    text = raw.read_text(encoding="utf-8-sig")
    raw.unlink()
    export = folder / "glpi.csv"
    export.write_text(_ENTITY.sub(lambda m: '"Entité racine > ' + rng.choice(names).replace('"', "''") + '"', text),
                      encoding="utf-8-sig")
    return export


def build(root: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from scopekb.cli import main; main()", "build", "--root", str(root)],
                          env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return time.perf_counter() - start, done.stdout.strip()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=10_000)
    args = parser.parse_args(argv)
    from scopekb.kb.load import load_knowledge_base

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "kb"
        site_build.make_knowledge_base(root, args.clients)
        names = [client.name for client in load_knowledge_base(root, use_cache=False).clients.values()]
        print(f"{args.clients} clients, {args.tickets} tickets, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}")
        for label in ("first build", "rebuild", "rebuild again"):  # the contracts' cache settles on the second
            seconds, said = build(root)
            print(f"  no exports ({label}):{' ' * (19 - len(label))}{seconds:6.1f} s  {said}")
        export = write_tickets(root, args.tickets, names)
        print(f"  export: {export.stat().st_size / 1e6:.1f} MB")
        time.sleep(2.5)  # older than RACY_NS: its facts may be kept
        seconds, said = build(root)
        print(f"  tickets mined:                   {seconds:6.1f} s  {said}")
        for _ in range(2):
            seconds, said = build(root)
            print(f"  tickets unchanged (cache):       {seconds:6.1f} s  {said}")
        pages = len(list((root / "site" / "internal" / "scenarios").glob("*/index.html")))
        print(f"  scenario pages and lists: {pages}")
        shutil.rmtree(root / "site", ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
