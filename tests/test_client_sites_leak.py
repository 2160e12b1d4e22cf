"""Nothing else, anywhere: a client's site holds nothing of any other client, nor anything internal.

Canary strings (all beginning with "zqx", a run of letters no page, theme or script has) are planted in
every field of several other clients (names, aliases, slugs, contract ids, assets, models, scope
items, public and internal notes), in the internal notes of every client, in an internal team's name
and in every direct line of a team but the helpdesk, in an internal article (title, symptoms,
products, text) and in a ticket export under content/tickets/. Every client site is built, with its
zip, and every byte of each is scanned, lower-cased, .gz files and zip entries decompressed, file
names included: the only canaries a site may hold are its own client's public ones.
"""
from __future__ import annotations

import gzip
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from scopekb.publish.client_sites import Options, build_client_sites

REPO = Path(__file__).resolve().parents[1]
OTHERS = 5
CANARY = re.compile(rb"zqx[a-z0-9]*")
FORBIDDEN_FILES = ("finder-index.json", "checker-shared.js", "checker.js", "finder.js")


def other_client(k: int) -> str:
    """A client whose every field is a canary of its own (zqx{k}c...), its internal notes one of no one's."""
    c = f"zqx{k}c"
    return f"""\
id: CTR-{c}id
client:
  name: {c.capitalize()}name Industries
  aliases: [{c}alias, {c.upper()}ACRO]
  slug: {c}slug
signed: 2025-01-10
end: 2030-12-31
services: [incident, installation, information, change]
remote_installation: {str(k % 2 == 0).lower()}
scope:
  - {{category: office-apps, level: n1, items: [{c}item Suite, {c}item2]}}
  - {{category: printers, level: n1}}
  - {{category: servers, level: n2, team: n2-systems, items: [{c}server]}}
equipment:
  policy: {["all", "listed", "acquired-before-signature"][k % 3]}
  items:
    - {{id: {c.upper()}ASSET1, category: printers, model: {c}model LaserJet, acquired: 2024-03-01}}
    - {{id: {c.upper()}ASSET2, category: servers, model: {c}model2, acquired: 2026-03-01}}
out_of_scope:
  escalate_to: management
  may_propose: [extension, billed-service]
public_notes: "{c}publicnote: shown to this client alone."
internal_notes: "zqxinternal{k}note: never shown to any client."
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("leak") / "kb"
    shutil.copytree(REPO / "contracts", root / "contracts")
    shutil.copytree(REPO / "content", root / "content")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("  - site_templates\n", "")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    provider = root / "contracts" / "provider.yaml"
    text = provider.read_text(encoding="utf-8")
    # every team's direct line but the helpdesk's, and the escalation team's name (internal)
    for team in ("n2-systems", "n2-apps", "onsite", "management", "sales"):
        text = re.sub(rf"(\n  {team}:\n    name: [^\n]*\n    phone: )\"[^\"]*\"\n    email: [^\n]*",
                      rf'\1"zqxphone{team}"\n    email: zqxmail{team}@example.org', text)
    text = text.replace("    name: Responsable du support\n", "    name: Zqxmanagername\n    internal: true\n")
    assert text.count("zqxphone") == 5 and "Zqxmanagername" in text
    provider.write_text(text, encoding="utf-8")
    for contract in (root / "contracts").glob("*.yaml"):  # every client's internal notes
        if contract.name != "provider.yaml":
            body = contract.read_text(encoding="utf-8")
            body = re.sub(r"(?ms)^internal_notes:.*?(?=^\S|\Z)", "", body)
            contract.write_text(body + f'internal_notes: "zqxinternal{contract.stem.replace("-", "")}"\n',
                                encoding="utf-8")
    for k in range(OTHERS):
        (root / "contracts" / f"other-{k}.yaml").write_text(other_client(k), encoding="utf-8")
    (root / "content" / "articles" / "zqx-internal.md").write_text(
        "---\ntitle: Zqxinternaltitle\ncategories: [printers, office-apps]\naudience: internal\n"
        "symptoms: [zqxinternalsymptom]\nproducts: [zqxinternalproduct]\n---\n\n## Zqxinternalheading\n\n"
        "zqxinternalbody\n", encoding="utf-8")
    tickets = root / "content" / "tickets"
    tickets.mkdir(parents=True, exist_ok=True)
    (tickets / "2026-001.md").write_text("# Ticket zqxticket\n\nCaller zqxticketcaller, 06 zqxticketphone\n",
                                         encoding="utf-8")
    return root


def scanned(path: Path, data: bytes) -> list[tuple[str, bytes]]:
    """(where, bytes) of a file: itself, and what a .gz or a zip holds."""
    found = [(str(path), data)]
    if path.name.endswith(".gz"):
        found.append((f"{path} (decompressed)", gzip.decompress(data)))
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                found += [(f"{path}:{info.filename}", info.filename.encode() + b"\n" + archive.read(info))]
    return found


def canaries_in(folder_or_file: Path) -> dict[bytes, list[str]]:
    """Every canary of the site (or archive), with where it was found."""
    found: dict[bytes, list[str]] = {}
    paths = [folder_or_file] if folder_or_file.is_file() else sorted(p for p in folder_or_file.resolve().rglob("*"))
    for path in paths:
        if not path.is_file():
            continue
        for where, data in scanned(path, path.read_bytes()):
            for token in CANARY.findall(str(path).encode().lower() if where == str(path) else b""):
                found.setdefault(token, []).append(f"{where} (name)")
            for token in CANARY.findall(data.lower()):
                found.setdefault(token, []).append(where)
    return found


def test_no_client_site_holds_anything_of_another_client_or_anything_internal(root):
    summary = build_client_sites(root, options=Options(zip=True))
    folder = root / "site" / "clients"
    slugs = sorted(summary.built)
    assert len(slugs) == 8 + OTHERS
    internal = (root / "site" / "internal")
    assert not internal.exists()  # only the client sites were built: nothing of the internal site to copy
    leaks = {}
    for slug in slugs:
        own = re.match(r"zqx(\d+)cslug", slug)
        allowed = re.compile(rb"zqx%sc[a-z0-9]*" % own.group(1).encode()) if own else None
        for target in (folder / slug, folder / f"{slug}.zip"):
            for token, where in canaries_in(target).items():
                if allowed is None or not allowed.fullmatch(token):
                    leaks.setdefault(slug, []).append(f"{token.decode()} in {sorted(set(where))[:3]}")
        site = (folder / slug).resolve()
        present = {p.name for p in site.rglob("*")}
        assert not present.intersection(FORBIDDEN_FILES), (slug, present.intersection(FORBIDDEN_FILES))
    assert leaks == {}
    # the canaries were there to be found: a client's own public data is in its site and archive
    own = canaries_in(folder / "zqx1cslug")
    for field in (b"name", b"slug", b"id", b"item", b"item2", b"server", b"asset1", b"asset2",
                  b"model", b"model2", b"publicnote"):
        assert b"zqx1c" + field in own, field
    assert canaries_in(folder / "zqx1cslug.zip").keys() == own.keys()
    # the internal article exists, and the public one reaches the clients covering printers
    assert (folder / "menuiserie-berard-fils" / "articles" / "imprimante-reseau-hors-ligne.html").is_file()
