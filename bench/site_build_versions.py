"""The site build of another version of scopekb against this one, on the same contracts, taking turns.

    git worktree add /tmp/scopekb-old 07f5aef
    python -m venv --system-site-packages /tmp/venv-old
    /tmp/venv-old/bin/pip install --no-deps /tmp/scopekb-old
    python bench/site_build_versions.py /tmp/scopekb-old /tmp/venv-old/bin/python [--clients 1000] [--repeat 5]

bench/site_build.py times one version against a bare MkDocs floor; this says
whether a change made the same build slower. Each version builds the same
generated contracts (bench/site_build.py's, seed 7) with its own mkdocs.yml,
provider file and content/ (without ticket exports, which older versions do
not read; this version with them too), in a process of its own: a first
build (no .scopekb-cache/, no site/), then a rebuild with nothing changed;
best and median of `--repeat` turns. A shared, noisy machine moves both alike
only within one run: compare figures of one run.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import site_build

# The module of versions before the package had stages first: where an editable install of this version
# is on the path too, scopekb.publish would be found there, in the other version's package.
BUILD = ("import os, sys\ntry:\n    from scopekb.build import build_site\nexcept ImportError:\n"
         "    from scopekb.publish.build import build_site\nfrom pathlib import Path\nbuild_site(Path(sys.argv[1]))\n"
         "os._exit(0)")


def knowledge_base(folder: Path, checkout: Path, clients: int, tickets: bool) -> Path:
    site_build.REPO = checkout  # its provider, content and mkdocs.yml
    site_build.make_knowledge_base(folder, clients)
    if not tickets:
        shutil.rmtree(folder / "content" / "tickets", ignore_errors=True)
    return folder


# pip compiles an installed package's modules; an editable checkout's are compiled on each start where
# nothing may write them (PYTHONDONTWRITEBYTECODE), which would time the compiler too.
COMPILE = "import compileall, os, scopekb; compileall.compile_dir(os.path.dirname(scopekb.__file__), quiet=1)"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other_checkout", type=Path, help="a checkout of the other version")
    parser.add_argument("other_python", help="a Python where that version is installed")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    this = site_build.REPO
    with tempfile.TemporaryDirectory(prefix="scopekb-versions-") as tmp:
        cases = {
            "other version": (args.other_python, knowledge_base(Path(tmp) / "other", args.other_checkout,
                                                                args.clients, False)),
            "this version": (sys.executable, knowledge_base(Path(tmp) / "this", this, args.clients, False)),
            "this version, tickets": (sys.executable, knowledge_base(Path(tmp) / "tickets", this, args.clients, True)),
        }
        for python in {args.other_python, sys.executable}:
            subprocess.run([python, "-c", COMPILE], check=True, cwd=tmp)
        runs: dict[tuple[str, str], list] = {}
        for _ in range(args.repeat):
            for name, (python, root) in cases.items():
                shutil.rmtree(root / ".scopekb-cache", ignore_errors=True)
                shutil.rmtree(root / "site", ignore_errors=True)
                runs.setdefault((name, "first build"), []).append(site_build.run([python, "-c", BUILD, str(root)], root))
                runs.setdefault((name, "rebuild"), []).append(site_build.run([python, "-c", BUILD, str(root)], root))
    print(f"{args.clients} clients, {args.repeat} turns: wall best / median, CPU median (all the build's "
          "processes), peak memory")
    for (name, kind), found in runs.items():
        walls = sorted(run[0] for run in found)
        print(f"  {name:<22} {kind:<12} {walls[0]:5.2f} / {statistics.median(walls):5.2f} s   "
              f"cpu {statistics.median(run[2] for run in found):5.2f} s   {max(run[1] for run in found):.3f} GB")


if __name__ == "__main__":
    main(sys.argv[1:])
