"""Build time and memory of the site at scale, against a bare MkDocs site of as many pages.

    python bench/site_build.py            # 100 and 1000 clients
    python bench/site_build.py 100 1000 5000
    python bench/site_build.py --repeat 1 5000

For each N it writes N clients with realistic contracts into a temporary
folder and builds there, `--repeat` times (5 unless told), in turn: the floor
(the same theme and search plugin over N plain pages kept out of the
navigation); `scopekb build` from nothing (no .scopekb-cache/ and no site/: a
first build); `scopekb build` again (a rebuild, nothing changed: the cache
holds each contract's checked content, the theme's compiled templates and the
mined tickets, and the published site the pages that come out the same,
which are linked from it rather than written again). Each build runs in its own process; peak
memory is the largest resident set of that process and of the build's second
process. Goal at 1,000 clients: at most 1.3 times the floor, 0.25 GB.

A build uses two processes, the floor one: on a machine whose other core is
busy, the ratio rises (the floor has the same core to itself). The CPU
seconds (user and system, of all the build's processes) of the best build of
each kind are printed too. Both write about as many new files and folders
(the floor a folder and a file per page, scopekb a file per page), whose
cost in system time varies a lot with the state of the file system: on a
virtual machine whose /tmp held a few hundred thousand files, creating an
empty file took 0.6 ms, against 0.05 ms once they were removed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")

TRADES = ["Boulangerie", "Garage", "Cabinet", "Pharmacie", "Menuiserie", "Imprimerie", "Clinique", "Hôtel",
          "Transports", "Librairie", "Agence", "Atelier", "Études", "Laboratoire", "Fromagerie", "Charpente",
          "Plomberie", "Électricité", "Architectes", "Notaires", "Coopérative", "Domaine", "Brasserie", "Opticiens"]
FAMILIES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
            "Simon", "Laurent", "Lefèvre", "Michel", "García", "David", "Bertrand", "Roux", "Vincent", "Fournier",
            "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martínez",
            "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas"]
TOWNS = ["Tours", "Blois", "Orléans", "Angers", "Nantes", "Rennes", "Le Mans", "Chartres", "Bourges", "Poitiers",
         "Limoges", "Vierzon", "Saumur", "Cholet", "Laval", "Vendôme", "Amboise", "Chinon", "Loches", "Montargis"]
FORMS = ["", " & Fils", " & Associés", " SARL", " SAS", " et Cie"]
MODELS = {
    "workstations": ["HP ProDesk 400 G7", "Lenovo ThinkCentre M70q", "Dell Vostro 3520", "Dell Latitude 5440",
                     "HP EliteBook 840 G9", "Lenovo ThinkPad T14", "Apple iMac 24"],
    "printers": ["HP LaserJet Pro 4002dn", "Brother HL-L5100DN", "Canon i-SENSYS MF445dw", "Epson WorkForce Pro",
                 "Kyocera Ecosys M2540dn", "Xerox VersaLink C405"],
    "servers": ["Dell PowerEdge T150", "HPE ProLiant ML30", "Synology DS923+", "Lenovo ThinkSystem ST50"],
    "network": ["Cisco Meraki MX67", "Ubiquiti UniFi U6 Pro", "Fortinet FortiGate 40F"],
    "lan": ["Netgear GS724T", "HPE Aruba 1930"],
}
PREFIX = {"workstations": "PC", "printers": "PRN", "servers": "SRV", "network": "NET", "lan": "SW"}
ITEMS = {
    "office-apps": ["Word", "Excel", "PowerPoint", "client Outlook", "OneNote"],
    "business-apps": ["Sage Paie", "Cegid Comptabilité", "EBP Gestion commerciale", "logiciel de rédaction d'actes"],
    "non-standard-apps": ["Adobe InDesign", "Adobe Photoshop", "AutoCAD", "Microsoft Project"],
}
CATEGORIES = ["office-apps", "non-standard-apps", "business-apps", "software", "internet", "workstations",
              "printers", "lan", "servers", "network"]
N2_TEAM = {"servers": "n2-systems", "network": "n2-systems", "lan": "n2-systems", "business-apps": "n2-apps",
           "non-standard-apps": "n2-apps"}


def client_names(count: int, rnd: random.Random) -> list[str]:
    combos = [(t, f, town) for t in TRADES for f in FAMILIES for town in TOWNS]
    rnd.shuffle(combos)
    if count > len(combos):
        raise SystemExit(f"at most {len(combos)} clients")
    return [f"{trade} {family}{rnd.choice(FORMS)} ({town})" for trade, family, town in combos[:count]]


def contract_yaml(number: int, name: str, code: str, signed: dt.date, rnd: random.Random, renewal: bool) -> str:
    """One contract in the format of contracts/*.yaml, with the variety of the example data."""
    start = signed + dt.timedelta(days=rnd.choice([0, 7, 15, 30]))
    end = start + dt.timedelta(days=rnd.choice([365, 730, 1095]) - 1)
    services = ["incident"] + [k for k in ("installation", "information", "change") if rnd.random() < 0.5]
    categories = rnd.sample(CATEGORIES, rnd.randint(2, 5))
    lines = [f"id: CTR-{number:06d}", "client:", f'  name: "{name}"', f"  aliases: [{code}]",
             f"signed: {signed}", f"start: {start}", f"end: {end}", f"services: [{', '.join(services)}]",
             f"remote_installation: {str(rnd.random() < 0.5).lower()}", "scope:"]
    for category in categories:
        lines.append(f"  - category: {category}")
        if category in N2_TEAM and rnd.random() < 0.6:
            lines += ["    level: n2", f"    team: {N2_TEAM[category]}"]
        else:
            lines.append("    level: n1")
        if category in ITEMS and rnd.random() < 0.7:
            lines.append(f"    items: [{', '.join(rnd.sample(ITEMS[category], 2))}]")
    policy = rnd.choice(["all", "listed", "acquired-before-signature"])
    lines += ["equipment:", f"  policy: {policy}", "  items:"]
    hardware = [c for c in categories if c in MODELS] or ["workstations"]
    for n in range(rnd.randint(0 if renewal else 1, 6)):
        category = rnd.choice(hardware)
        acquired = signed - dt.timedelta(days=rnd.randint(-400, 1500))
        when = f", acquired: {acquired}" if rnd.random() < 0.8 else ""
        lines.append(f"    - {{id: {PREFIX[category]}-{number:06d}-{n}, category: {category}, "
                     f"model: {rnd.choice(MODELS[category])}{when}}}")
    if lines[-1] == "  items:":
        lines[-1] = "  items: []"
    lines += ["out_of_scope:", f"  may_propose: [{', '.join(rnd.sample(['extension', 'billed-service'], 1))}]",
              "public_notes: >-", "  Ce contrat couvre l'assistance aux utilisateurs pour le périmètre ci-dessous.",
              "internal_notes: >-", f"  Client {code}. Demander le numéro d'équipement avant tout diagnostic."]
    return "\n".join(lines) + "\n"


def make_knowledge_base(root: Path, clients: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    (root / "contracts").mkdir(parents=True)
    shutil.copy(REPO / "contracts" / "provider.yaml", root / "contracts" / "provider.yaml")
    shutil.copytree(REPO / "content", root / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("  - site_templates\n", ""), encoding="utf-8")
    number = 0
    today = dt.date.today()
    for n, name in enumerate(client_names(clients, rnd)):
        code = f"CL{n:05d}"
        signed = today - dt.timedelta(days=rnd.randint(0, 900))
        contracts = [(signed, False)]
        if rnd.random() < 0.2:  # a renewal: the previous contract, expired
            contracts.insert(0, (signed - dt.timedelta(days=1100), True))
        for when, renewal in contracts:
            number += 1
            text = contract_yaml(number, name, code, when, rnd, renewal)
            (root / "contracts" / f"client-{n:05d}-{number}.yaml").write_text(text, encoding="utf-8")


def make_floor(root: Path, pages: int) -> None:
    """A bare MkDocs site: same theme and search, plain pages out of the navigation."""
    (root / "docs" / "p").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(
        "site_name: floor\nsite_dir: site\ntheme: {name: material, language: fr, font: false}\n"
        "plugins: [{search: {lang: fr}}]\nnot_in_nav: |\n  /p/\n", encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Accueil\n", encoding="utf-8")
    for n in range(pages):
        (root / "docs" / "p" / f"page-{n}.md").write_text(
            f"# Page {n}\n\nUn paragraphe de texte simple, numéro {n}, pour le plancher du banc d'essai.\n",
            encoding="utf-8")


def run(command: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall time in seconds, peak memory in GB and CPU seconds (user and system, with the processes it
    waited for) of one build in a process of its own."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{errors}")
    return seconds, usage.ru_maxrss / 1024 / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss: KiB on Linux


def size_of(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def breakdown(root: Path) -> str:
    """Where scopekb's own time goes, each part measured alone in this process (contracts cached)."""
    import datetime as dt

    from scopekb.kb.load import load_knowledge_base
    from scopekb.site.context import SiteContext
    from scopekb.site.pages import page_body, render_site

    today = dt.date.today()
    started = time.perf_counter()
    kb = load_knowledge_base(root)
    loaded = time.perf_counter()
    render_site(kb, generated=False)
    rendered = time.perf_counter()
    site = SiteContext(kb, "fr", today, True)
    for slug in kb.clients:
        page_body(site, "client", slug)
    bodied = time.perf_counter()
    for slug in kb.clients:
        page_body(site, "tree", slug)
    treed = time.perf_counter()
    return (f"alone: load {loaded - started:.2f} s, other pages {rendered - loaded:.2f} s; in the second process: "
            f"client pages' HTML {bodied - rendered:.2f} s, decision trees' HTML {treed - bodied:.2f} s")


def file_creation_ms(folder: Path, count: int = 300) -> float:
    """Milliseconds to create an empty file in a new folder under `folder`, now."""
    probe = folder / f"probe-{time.monotonic_ns()}"
    probe.mkdir()
    started = time.perf_counter()
    for n in range(count):
        os.close(os.open(probe / f"f{n}.html", os.O_CREAT | os.O_WRONLY, 0o644))
    seconds = time.perf_counter() - started
    shutil.rmtree(probe)
    return seconds / count * 1000


def bench(clients: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="scopekb-bench-") as tmp:
        root, floor = Path(tmp) / "kb", Path(tmp) / "floor"
        make_knowledge_base(root, clients)
        make_floor(floor, 2 * clients)  # as many pages as scopekb's: a client page and a tree per client
        creation = [file_creation_ms(Path(tmp))]
        # The technician site alone, as `scopekb build` makes it (the clients' own sites: bench/client_sites.py).
        scopekb = [sys.executable, "-c", "import os, sys\nfrom scopekb.publish.build import build_site\n"
                   "build_site(sys.argv[1])\nos._exit(0)", str(root)]
        # Builds take turns, best of `repeat` each: the machine's load varies.
        cold_runs, warm_runs, floor_runs = [], [], []
        for _ in range(repeat):
            floor_runs.append(run([sys.executable, "-m", "mkdocs", "build", "-q"], floor))
            shutil.rmtree(root / ".scopekb-cache", ignore_errors=True)
            shutil.rmtree(root / "site", ignore_errors=True)
            cold_runs.append(run(scopekb, root))
            warm_runs.append(run(scopekb, root))
            creation.append(file_creation_ms(Path(tmp)))
        (cold, cold_gb, cold_cpu), (warm, warm_gb, warm_cpu), (floor_s, floor_gb, floor_cpu) = \
            min(cold_runs), min(warm_runs), min(floor_runs)
        site = root / "site" / "internal"
        pages = sum(1 for _ in site.rglob("*.html")) - 1
        contracts = len(list((root / "contracts").glob("*.yaml"))) - 1
        print(f"\n{clients} clients ({contracts} contracts, {pages} pages: a page and a decision tree per client)")
        for label, seconds, gb, cpu in ((f"floor, {2 * clients} plain pages:", floor_s, floor_gb, floor_cpu),
                                        ("scopekb build, first:", cold, cold_gb, cold_cpu),
                                        ("scopekb build, rebuild:", warm, warm_gb, warm_cpu)):
            ratio = f"   {seconds / floor_s:.2f} x floor" if label.startswith("scopekb") else ""
            print(f"  {label:<30}{seconds:6.2f} s  {gb:.3f} GB  cpu {cpu:5.2f} s{ratio}")
        indexes = {"search index": site / "assets" / "scopekb" / "search-index.js",
                   "search snippets": site / "assets" / "scopekb" / "search-snippets.js",
                   "finder index": site / "assets" / "scopekb" / "finder-index.js"}
        print(f"  site {megabytes(size_of(site))} (floor {megabytes(size_of(floor / 'site'))}), " + ", ".join(
            f"{name} {megabytes(path.stat().st_size)}" for name, path in indexes.items() if path.is_file()))
        print(f"  creating an empty file took {min(creation):.2f}-{max(creation):.2f} ms between builds (the floor "
              "makes a folder and a file per page, scopekb a file per page)")
        print(f"  {breakdown(root)}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clients", type=int, nargs="*", default=[100, 1000], help="client counts (100 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="builds of each kind, the best kept (5)")
    args = parser.parse_args(argv)
    print(f"scopekb site build benchmark, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"best of {args.repeat} builds each (time, and peak memory of the build's processes)")
    for count in args.clients:
        bench(count, args.repeat)


if __name__ == "__main__":
    main(sys.argv[1:])
