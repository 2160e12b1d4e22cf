"""Size and shape: huge, deep, long-lined and doubly-encoded input is handled in bounded time and memory, or
refused in one line.

Each command runs in a child process under resource limits (address space and CPU time, set with
setrlimit before the command starts): generous bounds that a blow-up (a quadratic scan, a crash, memory
without end) would pass, never a timing of the run. What is tried: lists and mappings nested 100,000 deep
(libyaml's composer recursed in C until the process crashed), a 1 MB single line in a contract, a ticket
cell and an article, a 10,000-line contract, 50 MB ticket exports (many rows; few rows of huge cells), and
a name in its NFC and NFD forms.
"""
from __future__ import annotations

import json
import os
import random
import re
import resource
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from kb_builder import ALPHA, PROVIDER, mkdocs_yml, write_kb
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import slugify

MB = 1024 * 1024
ERROR_LINE = re.compile(r"^[^\s:][^:]*:\d+: [^:]+: .+ \(expected .+\)$")
MKDOCS = mkdocs_yml("Sizes")
HEAD = "id: CTR-1\nclient: {name: Alpha}\nsigned: 2025-01-01\nservices: [incident]\n"


def limited(memory_mb: int, cpu_seconds: int):
    """What a child process runs before the command: its address space and its CPU time capped."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MB, memory_mb * MB))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    return limit


def run(code_or_args: list[str], cwd: Path, memory_mb: int = 1500, cpu_seconds: int = 300
        ) -> subprocess.CompletedProcess:
    """`scopekb ARGS` (or `python -c CODE` for ["-c", CODE]) in a child under the limits."""
    if code_or_args[0] == "-c":
        command = [sys.executable, *code_or_args]
    else:
        command = [sys.executable, "-c", "import sys; from scopekb.cli import main; sys.argv[0] = 'scopekb'; main()",
                   *code_or_args]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          preexec_fn=limited(memory_mb, cpu_seconds))


def kb(root: Path, contracts: dict[str, str], provider: str = PROVIDER) -> Path:
    write_kb(root, contracts, provider)
    (root / "content").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    return root


def refused(done: subprocess.CompletedProcess) -> list[str]:
    """The error lines of a command that refused its input as it should: exit 2, each line FILE:LINE: ..."""
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and all(ERROR_LINE.match(line) for line in lines if not line.startswith(("chargement", "loading"))), \
        lines[:5]
    return lines


# ------------------------------------------------------------------------------------------------ nesting

N = 100_000
DEEP = {
    "flow lists": "scope: " + "[" * N + "]" * N + "\n",
    "flow mappings": "scope: " + "{a: " * N + "b" + "}" * N + "\n",
    "compact block lists": "scope:\n  - " + "- " * N + "x\n",
    "indented block mappings": "scope:\n" + "".join(" " * (i + 1) + "a:\n" for i in range(3000)),
    "flow across lines": "scope:\n" + "  [\n" * N + "  ]\n" * N,
    "quotes and comments between": "scope:\n" + '  [ "]", # ]\n' * N + "  " + "]" * N + "\n",
}


@pytest.mark.parametrize("shape", DEEP)
def test_a_contract_nested_100000_deep_is_one_error_line(tmp_path, shape):
    """Before: the process died of a segmentation fault (exit -11), printing nothing."""
    root = kb(tmp_path / "kb", {"deep.yaml": HEAD + DEEP[shape]})
    for command in (["validate"], ["check", "Alpha"], ["build"]):
        lines = refused(run([*command, "--root", str(root)], root))
        assert re.fullmatch(r"contracts/deep\.yaml:\d+: document: lists and mappings nested more than 100 deep "
                            r"\(expected a contract of at most 100 levels\)", lines[-1]), lines[-1]


def test_a_provider_file_and_front_matter_nested_deep_are_one_error_line_each(tmp_path):
    root = kb(tmp_path / "kb", {"a.yaml": ALPHA}, provider=PROVIDER + "extra: " + "[" * N + "]" * N + "\n")
    lines = refused(run(["validate", "--root", str(root)], root))
    assert lines[-1] == (f"contracts/provider.yaml:{PROVIDER.count(chr(10)) + 1}: document: lists and mappings nested more than 100 deep "
                         "(expected a provider file of at most 100 levels)")
    root = kb(tmp_path / "kb2", {"a.yaml": ALPHA})
    (root / "content" / "deep.md").write_text("---\ntitle: x\ncategories: " + "[" * N + "]" * N + "\n---\nText\n",
                                              encoding="utf-8")
    lines = refused(run(["validate", "--root", str(root)], root))
    assert lines[-1] == ("content/deep.md:3: document: lists and mappings nested more than 100 deep "
                         "(expected an article's front matter of at most 100 levels)")


MINE = """\
import sys
from pathlib import Path
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import slugify
from scopekb.tickets import mine_knowledge_base
root = Path(sys.argv[1])
result = mine_knowledge_base(root, load_knowledge_base(root, use_cache=False))
print(f"{len(result.scenarios)} {result.counts.get('read', 0)}")
for line in result.problems:
    print(line)
"""


def mine(root: Path, memory_mb: int = 1500, cpu_seconds: int = 300) -> tuple[int, int, list[str]]:
    """(scenarios, tickets read, problem lines) of mine_knowledge_base on `root`, in a limited child."""
    done = run(["-c", MINE, str(root)], root, memory_mb, cpu_seconds)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    first, *problems = done.stdout.splitlines()
    scenarios, read = map(int, first.split())
    for line in problems:
        assert ERROR_LINE.match(line) and len(line) < 1000, line[:300]
    return scenarios, read, problems


def test_ticket_exports_nested_deep_are_one_problem_line_each(tmp_path):
    """A YAML item nested deep crashed the process too; a JSON one was already a problem line."""
    root = write_kb(tmp_path / "kb", {"a.yaml": ALPHA})
    folder = root / "content" / "tickets"
    folder.mkdir(parents=True)
    (folder / "deep.yaml").write_text("- id: 1\n  title: x\n  description: " + "[" * N + "]" * N + "\n"
                                      "- id: 2\n  title: Imprimante hors ligne\n  status: closed\n", encoding="utf-8")
    (folder / "deep.json").write_text('[{"id": 3, "title": "x", "description": ' + "[" * N + "]" * N + "}]",
                                      encoding="utf-8")
    _, read, problems = mine(root)
    assert read == 1  # the YAML file's second item
    assert problems[0] == ("content/tickets/deep.json:1: document: cannot be read (RecursionError: maximum recursion "
                           "depth exceeded while decoding a JSON array from a unicode string) (expected a ticket "
                           "export: GLPI CSV (French or English labels), GLPI API JSON, iTop CSV, scopekb CSV, "
                           "YAML or JSON (see docs/tickets.md))")
    assert problems[1] == ("content/tickets/deep.yaml:3: ticket: lists and mappings nested more than 100 deep "
                           "(expected a ticket of at most 100 levels)")


# ------------------------------------------------------------------------------------------------ 1 MB lines

def test_a_1_mb_line_in_a_contract(tmp_path):
    long_text = "x" * MB
    root = kb(tmp_path / "kb", {
        "notes.yaml": HEAD + f"scope: []\npublic_notes: {long_text}\n",
        "key.yaml": HEAD.replace("CTR-1", "CTR-2").replace("Alpha", "Beta") + f"scope: []\n{long_text}: 1\n",
    })
    lines = refused(run(["validate", "--root", str(root)], root))
    assert lines == [  # libyaml takes no key of more than 1,024 characters
        "contracts/key.yaml:6: \"" + "x" * 80 + "...\": YAML syntax error: could not find expected ':' "
        "(expected valid YAML)",
        "contracts/notes.yaml:6: public_notes: text of 1048576 characters is too long "
        "(expected a text of at most 65536 characters)"]
    # a valid contract whose scope is one line of a megabyte
    entries = ", ".join(f"{{category: printers, level: n1, items: [Item {i}]}}" for i in range(20_000))
    root = kb(tmp_path / "kb2", {"wide.yaml": HEAD + f"scope: [{entries}]\n"})
    assert len((root / "contracts" / "wide.yaml").read_text()) > MB
    done = run(["check", "Alpha", "--item", "Item 19999", "--json", "--root", str(root)], root)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["verdict"] == "handle"


def test_a_1_mb_cell_in_a_ticket_export(tmp_path):
    """A description of `<!--` repeated took quadratic time (5 s for 64 KB; a megabyte, hours): each opened
    comment looked for its end to the end of the text. A megabyte status was quoted whole in its problem."""
    root = write_kb(tmp_path / "kb", {"a.yaml": ALPHA})
    folder = root / "content" / "tickets"
    folder.mkdir(parents=True)
    rows = ["id,title,client,category,status,description,solution"]
    for n, description in enumerate(["<!--" * (MB // 4), "<a " * (MB // 3), "&lt;" * (MB // 4), "x" * MB,
                                     "<p>" * (MB // 3), "&amp;lt;" * (MB // 8)]):
        rows.append(f"T{n},Imprimante hors ligne,ACO,Matériel > Imprimante,closed,\"{description}\",Redémarrée")
    rows.append(f"T9,Imprimante hors ligne,ACO,Matériel > Imprimante,\"{'z' * MB}\",x,y")
    (folder / "big.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    scenarios, read, problems = mine(root)
    assert (scenarios, read) == (1, 6)
    assert problems == ["content/tickets/big.csv:8: status: '" + "z" * 80 + "...' is not a known status (expected a "
                        "status such as Résolu/Solved, Clos/Closed, Nouveau/New, En cours/Processing, "
                        "En attente/Pending)"]


def test_a_1_mb_line_in_an_article(tmp_path):
    root = kb(tmp_path / "kb", {"a.yaml": ALPHA})
    words = random.Random(1).choices(["imprimante", "hors", "ligne", "**gras**", "`code`", "[lien](x)", "<b>"], k=MB // 8)
    (root / "content" / "long.md").write_text("---\ntitle: Long\ncategories: [printers]\n---\n\n" + " ".join(words)
                                              + "\n", encoding="utf-8")
    done = run(["build", "--root", str(root)], root, memory_mb=3000, cpu_seconds=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (root / "site" / "internal" / "long" / "index.html").stat().st_size > MB


# ------------------------------------------------------------------------------------------------ 10,000 lines

def ten_thousand_lines(shape: str) -> str:
    if shape == "items and assets":
        lines = ["id: CTR-1", "client: {name: Alpha}", "signed: 2025-01-01", "services: [incident, installation]",
                 "scope:", "  - category: printers", "    level: n1", "    items:"]
        lines += [f"      - Item {i}" for i in range(2000)]
        lines += ["equipment:", "  policy: acquired-before-signature", "  items:"]
        for i in range(2000):
            lines += [f"    - id: PRN-{i}", "      category: printers", f"      model: Model {i}",
                      "      acquired: 2024-01-01"]
    else:  # aliases and scope entries
        lines = ["id: CTR-1", "client:", "  name: Alpha", "  aliases:"] + [f"    - Alias {i}" for i in range(5000)]
        lines += ["signed: 2025-01-01", "services: [incident, installation]", "scope:"]
        for i in range(1700):
            lines += [f"  - category: {['printers', 'office', 'servers', 'network'][i % 4]}", "    level: n2",
                      "    team: n2-sys"]
    assert len(lines) >= 10_000
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("shape", ["items and assets", "aliases and scope entries"])
def test_a_10000_line_contract_is_checked_and_built(tmp_path, shape):
    root = kb(tmp_path / "kb", {"alpha.yaml": ten_thousand_lines(shape)})
    assert run(["validate", "--root", str(root)], root).returncode == 0
    done = run(["check", "Alias 4999" if shape.startswith("aliases") else "Alpha", "--asset", "PRN-1999",
                "--json", "--root", str(root)], root)
    assert json.loads(done.stdout)["client"] == "alpha", done.stderr
    done = run(["build", "--root", str(root)], root, memory_mb=3000, cpu_seconds=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (root / "site" / "internal" / "clients" / "alpha.html").is_file()


# ------------------------------------------------------------------------------------------------ 50 MB

HEADER = ["ID", "Titre", "Entité", "Statut", "Date d'ouverture", "Date de résolution", "Date de clôture", "Type",
          "Catégorie", "Demandeur - Demandeur", "Attribué à - Technicien", "Attribué à - Groupe de techniciens",
          "Description", "Solution - Solution"]
WORDS = "imprimante hors ligne toner bourrage papier outlook mot de passe réseau wifi lent écran noir".split()


def glpi_export(path: Path, words_per_description: int, size: int = 50 * MB) -> int:
    """A GLPI CSV export of `size` bytes or a little more, of descriptions of so many words; how many rows."""
    rng, written, n = random.Random(1), 0, 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff" + ";".join(f'"{h}"' for h in HEADER) + ";\n")
        while written < size:
            n += 1
            cells = [str(n), " ".join(rng.choices(WORDS, k=4)), "Entité racine > Alpha Conseil", "Clos",
                     "14-03-2025 09:30", "14-03-2025 10:05", "15-03-2025 08:00", "Incident", "Matériel > Imprimante",
                     "Durand Marie", "Martin Paul", "Helpdesk N1", " ".join(rng.choices(WORDS, k=words_per_description)),
                     "Spouleur redémarré"]
            line = ";".join(f'"{c}"' for c in cells) + ";\n"
            fh.write(line)
            written += len(line.encode("utf-8"))
    return n


@pytest.mark.parametrize("words, rows", [(60, 84_000), (200_000, 40)], ids=["many rows", "huge cells"])
def test_a_50_mb_ticket_export_is_mined_in_bounded_memory(tmp_path, words, rows):
    root = write_kb(tmp_path / "kb", {"a.yaml": ALPHA})
    (root / "content" / "tickets").mkdir(parents=True)
    written = glpi_export(root / "content" / "tickets" / "glpi.csv", words)
    assert written >= rows
    scenarios, read, problems = mine(root, memory_mb=4000, cpu_seconds=900)
    assert (read, problems) == (written, []) and scenarios >= 1


# ------------------------------------------------------------------------------------------------ NFC and NFD

def test_a_name_in_nfc_and_nfd_is_one_client_found_by_both(tmp_path):
    nfc = unicodedata.normalize("NFC", "Menuiserie Bérard & Fils Ødegård")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    contract = HEAD.replace("{name: Alpha}", "{{name: {name}, aliases: [{alias}]}}") + "scope: []\n"
    root = kb(tmp_path / "kb", {"a.yaml": contract.format(name=nfd, alias="Café Noël"),
                                "b.yaml": contract.replace("CTR-1", "CTR-2").format(
                                    name=nfc, alias=unicodedata.normalize("NFD", "Café Noël"))})
    assert run(["validate", "--root", str(root)], root).returncode == 0
    base = load_knowledge_base(root, use_cache=False)
    assert [len(c.contracts) for c in base.clients.values()] == [2]
    for name in (nfc, nfd, "Café Noël", unicodedata.normalize("NFD", "Café Noël"), "MENUISERIE BERARD FILS DEGARD"):
        done = run(["check", name, "--json", "--root", str(root)], root)
        assert json.loads(done.stdout)["client"] == slugify(nfc) == "menuiserie-berard-fils-degard", name
