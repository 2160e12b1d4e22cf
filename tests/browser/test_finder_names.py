"""The finder finds the clients `scopekb check` offers for a name it does not know exactly (spec v2).

A knowledge base of a few hundred generated clients (bench/site_build.py's generator: "Boulangerie
Petit & Fils (Tours)" and the like), the example's own, and a few close names added on purpose
("Boulangerie Petit", "Bernard Électricité"...) is built as a user builds it and served. For each text a
technician may type (partial, misspelled, without accents, words swapped), the finder's results, typed
key by key in the home page, hold every candidate of `scopekb check TEXT --json`, in check's order of
distance; a text that names a client exactly has that client first. Then, over many more texts (typos
made at random in the clients' names), the finder's clients found by a name are exactly those
`scopekb.coverage.match.may_mean` finds, with the same distances.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scopekb.coverage.match import may_mean, word_edits
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import normal_form

from .conftest import REPO
from .finder import find
from .serve import serve

sys.path.insert(0, str(REPO / "bench"))
from site_build import make_knowledge_base  # noqa: E402  (the generated clients of the benchmarks)

GENERATED = 400
CLOSE_NAMES = {  # slug-to-be: (name, aliases)
    "boulangerie-petit": ("Boulangerie Petit", []),
    "boulangerie-petitjean": ("Boulangerie Petitjean", ["Petitjean"]),
    "patisserie-petit": ("Pâtisserie Petit", []),
    "bernard-electricite": ("Bernard Électricité", ["Élec Bernard"]),
    "menuiserie-beraud": ("Menuiserie Béraud", []),
    "transports-berard": ("Transports Bérard", ["TB Logistique"]),
}

# What technicians type: a part of a name, a misspelling, no accents, words out of order.
TEXTS = ["berard", "Bérard", "BERARD", "berrad", "bearrd", "berard fils", "Menuiserie Berard", "menuserie",
         "Menuiserei Bérard", "Boulangrie Petit", "boulangerie petti", "Boulangerie Petit", "petit boulangerie",
         "boulangerie", "Boulang", "patiserie", "marchand", "editions marchnd", "Éditions Marchand", "dupont",
         "dupnot", "garnier roux", "grnier", "chataigniers", "chataingiers", "hotel belvedre", "coop val loire",
         "val de loir", "rousseau", "rouseau", "lefevre", "Lefèbvre", "mbf", "MBF", "TB", "elec bernard",
         "bernrad electricite", "xyzzy quux", "zz"]


def write_contract(root: Path, number: int, name: str, aliases: list[str]) -> None:
    (root / "contracts" / f"close-{number}.yaml").write_text("\n".join([
        f"id: CTR-CLOSE-{number:03d}", "client:", f'  name: "{name}"',
        f"  aliases: [{', '.join(json.dumps(a, ensure_ascii=False) for a in aliases)}]",
        "signed: 2025-01-01", "services: [incident]", "scope:", "  - category: printers", "    level: n1", ""]),
        encoding="utf-8")


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    """(knowledge-base folder, its knowledge base, URL of its site)."""
    root = tmp_path_factory.mktemp("names") / "kb"
    make_knowledge_base(root, GENERATED, seed=3)
    for source in sorted((REPO / "contracts").glob("*.yaml")):
        if source.name != "provider.yaml":
            shutil.copy(source, root / "contracts" / source.name)
    for number, (name, aliases) in enumerate(CLOSE_NAMES.values()):
        write_contract(root, number, name, aliases)
    done = subprocess.run([sys.executable, "-c", "from scopekb.cli import main; main()", "build", "--root", str(root)],
                          cwd=root, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    kb = load_knowledge_base(root)
    assert set(CLOSE_NAMES) <= set(kb.clients)
    with serve(root / "site" / "internal") as url:
        yield root, kb, url


def check_json(root: Path, text: str) -> dict:
    done = subprocess.run([sys.executable, "-c", "from scopekb.cli import main; main()", "check", text, "--json",
                           "--root", str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def slug_of(href: str) -> str:
    return href.split("/clients/", 1)[1].split(".html", 1)[0]


def finder_search(page, texts: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Every client the finder's matching finds for each text, best first, as (slug, distance)."""
    page.wait_for_function("window.scopekbFinderIndex !== undefined")
    return page.evaluate("""(texts) => {
        const f = window.scopekbFinder, data = f.prepare(window.scopekbFinderIndex), out = {};
        for (const text of texts)
            out[text] = f.search(data, f.normalForm(text), Infinity).hits.map((h) => [h.client.slug, h.distance]);
        return out;
    }""", texts)


def test_the_finder_shows_every_candidate_of_check(named, page):
    root, kb, url = named
    found_some = 0
    for text in TEXTS:
        cli = check_json(root, text)
        shown = find(page, url, text, may_find_none=True) if normal_form(text) else []
        slugs = [slug_of(r["href"]) for r in shown]
        everything = dict(finder_search(page, [text])[text])
        if cli["reasons"][0]["code"] == "client-uncertain":
            wanted = [c["client"] for c in cli["candidates"]]
            assert set(wanted) <= set(slugs), (text, wanted, slugs)
            # in check's order of distance (check then orders by slug, the finder by how the text begins a name)
            distances = [everything[slug] for slug in wanted]
            assert distances == sorted(distances), (text, wanted, distances)
            found_some += 1
        elif cli["client"] in kb.clients and cli["reasons"][0]["code"] != "no-contract":
            assert slugs[0] == cli["client"], (text, slugs)  # named exactly: first
        else:  # check knows no client by that name: nor does the finder, by a name
            assert all(everything[s] < 0 for s in slugs), (text, slugs)
    assert found_some >= 25


def typos(kb, count: int, rnd: random.Random) -> list[str]:
    """Texts made from the clients' names as a hurried technician types them."""
    names = [name for client in kb.clients.values() for name in (client.name, *client.aliases)]
    texts = []
    for _ in range(count):
        words = normal_form(rnd.choice(names)).split() or ["x"]
        words = rnd.sample(words, rnd.randint(1, min(3, len(words))))
        n = rnd.randrange(len(words))
        word, at = words[n], rnd.randrange(len(words[n]))
        letter = rnd.choice("aeirstnu")
        words[n] = rnd.choice([word[:at] + word[at + 1:], word[:at] + letter + word[at:],
                               word[:at] + letter + word[at + 1:], word[:at] + word[at + 1:at + 2] + word[at:at + 1]
                               + word[at + 2:], word[:max(1, at)], word])
        texts.append(" ".join(words))
    return texts


def distances(kb, text: str) -> dict[str, int]:
    """The clients `text` may mean and their distances, as scopekb.coverage.match counts them."""
    wanted = normal_form(text).split()
    found: dict[str, int] = {}
    for form, slug in kb.names.items() if wanted else ():
        edits = [word_edits(word, tuple(form.split(" "))) for word in wanted]
        if None not in edits:
            found[slug] = min(sum(edits), found.get(slug, sum(edits)))
    return found


def test_the_finder_finds_by_name_exactly_what_check_may_mean(named, page):
    root, kb, url = named
    page.goto(url)
    texts = TEXTS + typos(kb, 400, random.Random(5))
    found = finder_search(page, texts)
    uncertain = 0
    for text in texts:
        want = distances(kb, text)
        got = {slug: distance for slug, distance in found[text] if distance >= 0}
        assert got == want, text
        exact = kb.find_client(text)
        if exact is not None:
            assert found[text][0] == [exact.slug, 0], text  # named exactly: first
        else:
            # check's candidates are the first ten of these, by distance then slug
            assert [slug for slug, _ in may_mean(kb, text)] == sorted(want, key=lambda s: (want[s], s))[:10], text
            uncertain += bool(want)
    assert uncertain >= 100
