"""How fast scopekb's own search answers in Chromium, against Material's lunr search on the same site.

    PYTHONPATH=generator python bench/search_latency.py                 # 1,000 and 5,000 clients
    PYTHONPATH=generator python bench/search_latency.py --clients 1000 --no-old
    PYTHONPATH=generator python bench/search_latency.py --keep /tmp/search-bench   # reuse the built sites

For each size, a knowledge base of N clients (site_build.py's generator) and 200 French articles
(search_documents.py) is built with `scopekb build` (Material's search enabled, as today). The new
engine's index is built from the same base (a page and a decision tree per client, a page per
category, the articles) and put in the built site with search.js; its page is the site's home page
(the client finder and its overview included) with Material's search box cut out.

New engine, served on 127.0.0.1 unless said: index sizes; right after the page loads, a query typed key
by key (40 ms apart) from the first keystroke to the first results painted, for each way of loading
the index (when the box gets focus, or once the page is idle; split in two files or one); the finder's
first keystrokes right after load, with the index loaded at idle, on focus, or no search at all; then
further queries, every keystroke to its results painted (median, p95); the stems found for French
inflections that no page uses. Old: Material's search box, a word put in right after the page loads
(its worker still building the lunr index), then another.

Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "tests" / "browser"))
from search_documents import documents, make_articles  # noqa: E402
from search_quality import inflections, ranking  # noqa: E402
from serve import serve  # noqa: E402  (the browser tests' local server)
from site_build import make_knowledge_base  # noqa: E402

from scopekb.kb.load import load_knowledge_base  # noqa: E402
from scopekb.site.pages import finder_script  # noqa: E402
from scopekb.site.search_index import build_search_index  # noqa: E402
from scopekb.site.search_ui import script_attributes  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTICLES = 200
LOADS = 12  # page loads per way of loading the index
# The build runs the installed scopekb (the repository's current one, as `scopekb build` does), not
# this checkout's generator/ that the bench itself imports.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"NO_MKDOCS_2_WARNING": "1"}
FIRST_QUERY = "imprimantes"
FURTHER_QUERIES = ["imprimante", "Boulangerie Mar", "dubois tours", "CL00042", "PRN-0001", "laserjet", "ecran",
                   "redemarrer", "outlook ne demarre", "messagerie", "sauvegardes", "mot de passe", "PowerEdge",
                   "pharmacie", "ticket", "licences", "Garage Lef", "synchronisation", "reseau", "applications metier"]

# Before any page script: keystrokes of the search box and of the finder, and when results are painted
# (the next frame after search.js reports them, or after the finder writes its list).
TIMING_SCRIPT = """
window.__bench = {keys: [], results: [], finder: []};
document.addEventListener('keydown', (event) => {
  const id = event.target && event.target.id;
  if (id === 'scopekb-search-input') window.__bench.keys.push(event.timeStamp);
  if (id === 'scopekb-finder-input') window.__bench.finderKey = event.timeStamp;
}, true);
document.addEventListener('scopekb-search:results', (event) => {
  const detail = event.detail, reported = performance.now();
  requestAnimationFrame(() => setTimeout(() => window.__bench.results.push(
    {query: detail.query, count: detail.count, reported, painted: performance.now()}), 0));
}, true);
document.addEventListener('input', (event) => {
  const input = event.target, bench = window.__bench;
  if (input.id !== 'scopekb-finder-input' || bench.finderKey === undefined) return;
  const typed = bench.finderKey;
  input.addEventListener('input', () => requestAnimationFrame(() => setTimeout(
    () => bench.finder.push(performance.now() - typed), 0)), {once: true});
}, true);
"""


# A page closed while Material's index (megabytes) is still being sent breaks the server's pipe: the
# server would print each such trace between the figures.
http.server.ThreadingHTTPServer.handle_error = lambda self, request, client_address: None


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(ordered):6.1f} ms  p95 {p95:6.1f} ms  max {ordered[-1]:6.1f} ms"


def build_sites(root: Path, clients: int) -> tuple[Path, list, str]:
    """The knowledge base, its search documents, and the Material site of one page per document."""
    site = root / "site"
    if not (root / "contracts").is_dir():
        make_knowledge_base(root, clients)
        make_articles(root, ARTICLES)
    docs = documents(root)
    if (site / "index.html").is_file():
        return site, docs, "kept from an earlier run"
    pages = root / "docs"
    for document in docs:
        page = pages / (document.url.rstrip("/").removesuffix(".html") + ".md")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"# {document.title}\n\n{' '.join(document.keywords)}\n\n{document.text}\n", encoding="utf-8")
    # The home page holds the client finder as the site's home page does (finder.html.j2), with its index.
    kb = load_knowledge_base(root)
    finder = ('<div class="scopekb-finder" id="scopekb-finder" data-index="assets/scopekb/finder-index.js" '
              'data-client-url="clients/{slug}/" data-none="0" data-one="1" data-many="{n}" data-more="+{n}" '
              'data-via="~" data-loading="..."><input id="scopekb-finder-input" class="scopekb-finder__input" '
              'type="search" aria-label="finder" role="combobox" aria-expanded="false" '
              'aria-controls="scopekb-finder-results"><ul id="scopekb-finder-results" class="scopekb-finder__results" role="listbox"></ul>'
              '<p class="scopekb-finder__status" role="status"></p></div>\n'
              '<script src="assets/scopekb/finder.js"></script>\n')
    (pages / "index.md").write_text(f"# Trouver un client\n\n{finder}", encoding="utf-8")
    assets = pages / "assets" / "scopekb"
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site_templates" / "assets" / "finder.js", assets / "finder.js")
    (assets / "finder-index.js").write_text(finder_script(kb), encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: Base de connaissances du helpdesk\nsite_dir: site\n"
        "theme: {name: material, language: fr, font: false}\nplugins: [{search: {lang: fr}}]\n"
        "nav: [index.md]\n", encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, env=ENV,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"mkdocs build failed:\n{done.stdout}\n{done.stderr}")
    return site, docs, f"Material site of {len(docs) + 1} pages built in {time.perf_counter() - started:.0f} s"


def without_material_search(page: str) -> str:
    """A page with Material's search button and box cut out of its header."""
    start = page.index('<label class="md-header__button md-icon" for="__search">')
    end = page.index('<div class="md-header__source">', start) if 'class="md-header__source"' in page else \
        page.index("</nav>", start)
    return page[:start] + page[end:]


def install_new_search(site: Path, docs) -> dict:
    """Index files, search.js and .css in the site, and a copy of the home page per way of loading."""
    assets = site / "assets" / "scopekb"
    for name in ("search.js", "search.css"):
        shutil.copy(REPO / "site_templates" / "assets" / name, assets / name)
    started = time.perf_counter()
    split = build_search_index(docs, "fr")
    seconds = time.perf_counter() - started
    single = build_search_index(docs, "fr", split=False)
    (assets / "search-index.js").write_text(split.index, encoding="utf-8")
    (assets / "search-snippets.js").write_text(split.snippets, encoding="utf-8")
    (assets / "search-index-single.js").write_text(single.index, encoding="utf-8")
    home = without_material_search((site / "index.html").read_text(encoding="utf-8"))
    home = home.replace("</head>", '<link rel="stylesheet" href="assets/scopekb/search.css">\n</head>', 1)
    variants = {"focus": "", "idle": 'data-load="idle"',
                "focus-single": 'data-index="assets/scopekb/search-index-single.js"', "none": None}
    for name, extra in variants.items():
        tag = "" if extra is None else \
            f'<script src="assets/scopekb/search.js" {script_attributes("fr", base="./")} {extra}></script>\n'
        (site / f"search-{name}.html").write_text(home.replace("</body>", tag + "</body>", 1), encoding="utf-8")
    return {"seconds": seconds, "split": split, "single": single}


def load_average() -> str:
    """The machine's load: other work on its CPUs slows every figure here."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def size(text: str) -> str:
    raw = text.encode()
    return f"{len(raw) / 1e6:.2f} MB ({len(gzip.compress(raw)) / 1e6:.2f} MB gzipped)"


def new_page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(TIMING_SCRIPT)
    return page


def type_slowly(page, text: str, pause_ms: int = 40) -> None:
    for character in text:
        page.keyboard.type(character)
        page.wait_for_timeout(pause_ms)


def first_query_after_load(browser, url: str) -> tuple[list[float], list[float]]:
    """Per load: first keystroke to the first results painted, and to the whole word's results."""
    firsts, wholes = [], []
    for _ in range(LOADS):
        page = new_page(browser)
        page.goto(url, wait_until="load")
        page.focus("#scopekb-search-input")
        type_slowly(page, FIRST_QUERY)
        page.wait_for_function("(q) => window.__bench.results.some(r => r.query === q)", arg=FIRST_QUERY)
        bench = page.evaluate("window.__bench")
        first = min(r["painted"] for r in bench["results"] if r["count"] > 0)
        whole = next(r["painted"] for r in bench["results"] if r["query"] == FIRST_QUERY)
        firsts.append(first - bench["keys"][0])
        wholes.append(whole - bench["keys"][-1])
        page.close()
    return firsts, wholes


def index_breakdown(browser, url: str, index_file: str) -> str:
    """Where a first query's time goes, median of LOADS page loads: loading the index script (fetch and
    parse), preparing it (splitting its strings), the first one-letter search, then a whole word."""
    steps = []
    for _ in range(LOADS):
        page = new_page(browser)
        page.goto(url, wait_until="load")
        steps.append(page.evaluate("""async (file) => {
          const started = performance.now();
          await new Promise((resolve) => {
            const script = document.createElement('script');
            script.src = file; script.onload = resolve; document.head.appendChild(script); });
          const loaded = performance.now();
          const data = window.scopekbSearch.prepare(window.scopekbSearchIndex);
          const prepared = performance.now();
          window.scopekbSearch.search(data, 'i', 10);
          const letter = performance.now();
          window.scopekbSearch.search(data, 'imprimantes', 10);
          return [loaded - started, prepared - loaded, letter - prepared, performance.now() - letter];
        }""", index_file))
        page.close()
    medians = [statistics.median(step[n] for step in steps) for n in range(4)]
    return ("load and parse {:.0f} ms, prepare {:.0f} ms, search 'i' {:.0f} ms, then 'imprimantes' {:.1f} ms"
            .format(*medians))


def finder_after_load(browser, url: str) -> list[float]:
    """The client finder's first three keystrokes right after the page loads, each to its next frame."""
    timings = []
    for _ in range(LOADS):
        page = new_page(browser)
        page.goto(url, wait_until="load")
        page.focus("#scopekb-finder-input")
        type_slowly(page, "Pha")
        page.wait_for_function("window.__bench.finder.length >= 3")
        timings += page.evaluate("window.__bench.finder")
        page.close()
    return timings


def further_queries(browser, url: str) -> tuple[list[tuple[float, str]], list[float]]:
    """Once the index is loaded: every keystroke of FURTHER_QUERIES to its results painted (with the query
    it made); the first key of each query apart (the most results)."""
    page = new_page(browser)
    page.goto(url, wait_until="load")
    page.focus("#scopekb-search-input")
    page.keyboard.type("x")
    page.wait_for_function("window.__bench.results.some(r => r.query === 'x')")
    keystrokes, firsts = [], []
    for query in FURTHER_QUERIES:
        page.fill("#scopekb-search-input", "")
        page.evaluate("window.__bench.keys = []; window.__bench.results = []")
        type_slowly(page, query)
        try:
            page.wait_for_function("(n) => window.__bench.results.length >= n", arg=len(query), timeout=10_000)
        except PlaywrightTimeout:
            bench = page.evaluate("window.__bench")
            print(f"    (query {query!r}: {len(bench['keys'])} keys, {len(bench['results'])} results reported)")
        bench = page.evaluate("window.__bench")
        for key, result in zip(bench["keys"], bench["results"]):
            keystrokes.append((result["painted"] - key, result["query"]))
        firsts.append(bench["results"][0]["painted"] - bench["keys"][0])
    page.close()
    return keystrokes, firsts


def quality(browser, url: str, docs) -> list[str]:
    """What search_quality.py measures, in a page whose index is loaded."""
    page = new_page(browser)
    page.goto(url, wait_until="load")
    page.focus("#scopekb-search-input")
    page.keyboard.type("x")
    page.wait_for_function("window.__bench.results.length > 0")
    found = [inflections(page, docs), ranking(page, docs)]
    page.close()
    return found


def material_search(browser, url: str) -> list[tuple[str, float, str, float]]:
    """Material's search box: a word put in right after the page loads, then another."""
    script = """
    window.__bench = {search: null};
    document.addEventListener('keyup', (event) => {
      if (event.target.classList && event.target.classList.contains('md-search__input') && event.target.value) {
        window.__bench.start = event.timeStamp; window.__bench.search = null; }
    }, true);
    new MutationObserver(() => { const b = window.__bench;
      if (b.search === null && b.start !== undefined && document.querySelector('.md-search-result__item'))
        b.search = performance.now() - b.start; }).observe(document, {childList: true, subtree: true});
    """

    def once(page, word: str) -> float:
        page.click("input.md-search__input")
        page.fill("input.md-search__input", "")
        page.wait_for_function("!document.querySelector('.md-search-result__item')")
        page.evaluate("() => { window.__bench.search = null; delete window.__bench.start; }")
        page.keyboard.insert_text(word)
        page.keyboard.press("End")
        page.wait_for_function("window.__bench.search !== null", timeout=180_000)
        return page.evaluate("window.__bench.search")

    timings = []
    for word, other in (("imprimante", "Dubois"), ("Outlook", "Martin")):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.add_init_script(script)
        page.goto(url, wait_until="load")
        cold = once(page, word)
        page.wait_for_timeout(300)
        timings.append((word, cold, other, once(page, other)))
        page.close()
    return timings


def bench(browser, root: Path, clients: int, old: bool) -> None:
    site, docs, how = build_sites(root, clients)
    made = install_new_search(site, docs)
    split, single = made["split"], made["single"]
    print(f"\n{clients} clients, {ARTICLES} articles: {len(docs)} search documents; site {how}; "
          f"load average {load_average()}")
    print(f"  new index built in {made['seconds']:.2f} s: {split.stats['forms']} word forms, "
          f"{split.stats['stems']} stems, {split.stats['postings']} postings")
    print(f"    split:  index {size(split.index)} + snippets {size(split.snippets)}")
    print(f"    single: {size(single.index)}")
    old_index = site / "search" / "search_index.json"
    if old_index.is_file():
        print(f"  old (Material/lunr) index: {old_index.stat().st_size / 1e6:.1f} MB")
    with serve(site) as url:
        print(f"  new: right after load, '{FIRST_QUERY}' typed key by key, {LOADS} loads each:")
        for variant in ("focus", "idle", "focus-single"):
            firsts, wholes = first_query_after_load(browser, f"{url}search-{variant}.html")
            print(f"    load on {variant:<13} first key to first results: {percentiles(firsts)}")
            print(f"    {'':<21} last key to its results:     {percentiles(wholes)}")
        for label, file in (("split", "assets/scopekb/search-index.js"),
                            ("single", "assets/scopekb/search-index-single.js")):
            print(f"    where it goes, {label:<6} {index_breakdown(browser, url + 'search-focus.html', file)}")
        firsts, wholes = first_query_after_load(browser, (site / "search-focus.html").as_uri())
        print(f"    file://, on focus    first key to first results: {percentiles(firsts)}")
        print("  the finder's first 3 keystrokes right after load, key to next frame:")
        pages = {"none": "search-none.html", "focus": "search-focus.html", "idle": "search-idle.html"}
        if old:
            pages["Material"] = "index.html"  # its index fetched and handed to its worker as the page loads
        for variant, page in pages.items():
            print(f"    search {variant:<8} {percentiles(finder_after_load(browser, url + page))}")
        keystrokes, firsts = further_queries(browser, f"{url}search-focus.html")
        print(f"  new: further queries ({len(FURTHER_QUERIES)} queries, {len(keystrokes)} keystrokes), key to "
              f"results painted: {percentiles([ms for ms, _ in keystrokes])}")
        print("    slowest: " + ", ".join(f"{query!r} {ms:.0f} ms" for ms, query in sorted(keystrokes)[-4:]))
        print(f"    first key of each query (one letter, the most hits): {percentiles(firsts)}")
        inflected, ranked = quality(browser, f"{url}search-focus.html", docs)
        print(f"  new: {inflected}")
        print(f"  new, the page asked for first: {ranked}")
        print(f"  (load average now {load_average()})")
        if old:
            print("  old: Material's search, the word put in at once right after load, then another:")
            for word, cold, other, warm in material_search(browser, url):
                print(f"    '{word}' first result after {cold:7.0f} ms; then '{other}' {warm:6.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--no-old", dest="old", action="store_false", help="skip Material's search")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build the sites in DIR and reuse them")
    args = parser.parse_args()
    print(f"scopekb search latency in Chromium, {os.cpu_count()} CPUs")
    with (contextlib.nullcontext(str(args.keep)) if args.keep else
          tempfile.TemporaryDirectory(prefix="scopekb-search-bench-")) as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for clients in args.clients:
                bench(browser, Path(tmp) / f"kb-{clients}", clients, args.old)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
