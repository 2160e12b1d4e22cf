"""Client sites at scale: the cost of a site, against one `mkdocs build` process per site; and a rebuild.

    python bench/client_sites.py              # 200 clients, a sample of 20 sites for the baselines
    python bench/client_sites.py 500 --sample 30

It writes N clients with realistic contracts (bench/site_build.py) into a temporary folder, then:

1. baseline, one process per site: a sample of the client sites written as plain MkDocs projects (their
   pages and scopekb's assets in docs/, the same theme and settings in mkdocs.yml), each built by
   `python -m mkdocs build` in a process of its own; the cost of a site is the mean;
2. baseline, one process, MkDocs' build() per site (ClientSiteBuilder.build_with_mkdocs with a new builder
   for each site: configuration and theme loaded, every file copied, per site; the theme's templates,
   though, come compiled from the on-disk cache that scopekb's builds keep);
3. scopekb: every client site built by `build_client_sites` in a new process (imports, configuration,
   knowledge base and all, no cache of client sites), whose wall time divided by N is the cost of a site;
4. a rebuild after one contract is edited (its public notes), in a new process: one site built, the
   others found unchanged; and a rebuild with nothing changed.

Goals (issue 15): at most 0.1 s a site and at least 5 times faster than a process per site; the
rebuild after one edit at most 10 % of the full build.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")
BUILD_ALL = """
import json, sys, time
started = time.perf_counter()
from scopekb.publish.client_sites import build_client_sites
summary = build_client_sites(sys.argv[1])
print(json.dumps({"built": len(summary.built), "unchanged": len(summary.unchanged),
                  "inside": time.perf_counter() - started}))
"""


def _site_build():
    spec = importlib.util.spec_from_file_location("site_build", REPO / "bench" / "site_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed_process(command: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds, done.stdout


def plain_project(site, folder: Path, extensions: list) -> None:
    """A client site as a plain MkDocs project: what `mkdocs build` alone would make of it."""
    docs = folder / "docs"
    for path, text in {**site.pages, **site.assets}.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    from scopekb.site.client_site import SCRIPTS, STYLESHEETS

    config = {"site_name": site.site_name, "use_directory_urls": False, "nav": site.nav,
              "theme": {"name": "material", "language": site.lang, "font": False}, "plugins": [],
              "markdown_extensions": extensions, "extra_css": list(STYLESHEETS),
              "extra_javascript": [path for path in SCRIPTS if path in site.assets]}
    (folder / "mkdocs.yml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")


def bench(clients: int, sample: int) -> None:
    from scopekb.kb.articles import with_articles
    from scopekb.kb.load import load_knowledge_base
    from scopekb.mkdocs_plugin import engine
    from scopekb.mkdocs_plugin.client_build import ClientSiteBuilder
    from scopekb.publish.client_sites import site_day
    from scopekb.site.client_site import client_site

    with tempfile.TemporaryDirectory(prefix="scopekb-bench-clients-") as tmp:
        root = Path(tmp) / "kb"
        _site_build().make_knowledge_base(root, clients)
        kb = with_articles(load_knowledge_base(root), root)
        config = engine.load_config(root)
        today = site_day(config)
        slugs = list(kb.clients)[:sample]
        extensions = [{name: config.mdx_configs[name]} if name in config.mdx_configs else name
                      for name in config.markdown_extensions]

        # 1. one `mkdocs build` process per site
        projects = Path(tmp) / "projects"
        for slug in slugs:
            plain_project(client_site(kb, slug, "fr", today, root), projects / slug, extensions)
        started = time.perf_counter()
        for slug in slugs:
            timed_process([sys.executable, "-m", "mkdocs", "build", "-q"], projects / slug)
        per_process = (time.perf_counter() - started) / len(slugs)

        # 2. one process, MkDocs' build() per site, nothing shared
        started = time.perf_counter()
        for n, slug in enumerate(slugs):
            builder = ClientSiteBuilder(root, config.markdown_extensions, config.mdx_configs, today)
            builder.build_with_mkdocs(client_site(kb, slug, "fr", today, root), Path(tmp) / "plain" / slug)
        per_build = (time.perf_counter() - started) / len(slugs)

        # 3. scopekb: every site, in a new process
        command = [sys.executable, "-c", BUILD_ALL, str(root)]
        full, out = timed_process(command, root)
        first = json.loads(out)
        assert first["built"] == clients, first
        per_site = full / clients

        # 4. one contract edited, then nothing changed
        contract = sorted((root / "contracts").glob("client-*.yaml"))[clients // 2]
        text = contract.read_text(encoding="utf-8")
        contract.write_text(text.replace("public_notes: >-\n", "public_notes: >-\n  Avenant du jour.\n", 1),
                            encoding="utf-8")
        edited, out = timed_process(command, root)
        second = json.loads(out)
        assert second == {**second, "built": 1, "unchanged": clients - 1}, second
        unchanged, out = timed_process(command, root)
        third = json.loads(out)
        assert third["built"] == 0, third

        files = sum(1 for p in (root / "site" / "clients").resolve().rglob("*") if p.is_file())
        print(f"\n{clients} client sites ({files} files), baselines on a sample of {len(slugs)} sites")
        print(f"  one `mkdocs build` process per site:  {per_process:6.3f} s a site")
        print(f"  one process, MkDocs' build() a site:  {per_build:6.3f} s a site")
        print(f"  scopekb, all {clients} in one process:   {per_site:6.3f} s a site ({full:.2f} s in all, "
              f"{first['inside']:.2f} s after the interpreter started)   goal <= 0.100 s: "
              f"{'met' if per_site <= 0.1 else 'NOT met'}")
        print(f"    {per_process / per_site:.1f} x faster than a process per site   goal >= 5 x: "
              f"{'met' if per_process / per_site >= 5 else 'NOT met'}")
        print(f"  rebuild after one contract edited:    {edited:6.2f} s = {100 * edited / full:.1f} % of the full build "
              f"(1 site built, {second['unchanged']} unchanged)   goal <= 10 %: "
              f"{'met' if edited <= 0.1 * full else 'NOT met'}")
        print(f"  rebuild with nothing changed:         {unchanged:6.2f} s = {100 * unchanged / full:.1f} %")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clients", type=int, nargs="*", default=[200], help="client counts (200)")
    parser.add_argument("--sample", type=int, default=20, help="sites built by the baselines (20)")
    args = parser.parse_args(argv)
    print(f"scopekb client sites benchmark, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"{dt.date.today().isoformat()}")
    for count in args.clients:
        bench(count, args.sample)


if __name__ == "__main__":
    main(sys.argv[1:])
