"""`scopekb build`'s client sites: `site/clients/SLUG/` for each client, built only when its inputs changed,
each published at once when complete.

Each site is built by mkdocs_plugin/client_build.py into a folder beside its place and swapped in with
one atomic step (swap.py, as the technicians' site): whatever stops a build, `site/clients/SLUG` is the
previous complete site or the new one. `--pdf` prints the site's summary into it before it is
published (Chromium, pdf.py); `--zip` writes `site/clients/SLUG.zip` of the published site, through a
temporary file renamed into place, its entries sorted and dated by the site's day.

Incremental: a manifest (.scopekb-cache/client-sites.json) keeps, for each published site, a hash of
everything it is made from (`inputs_hash`): its contract files, the provider file, its public articles,
the templates and words of scopekb, mkdocs.yml, the versions of scopekb, MkDocs and Material, the site's
day and language. A site whose hash is unchanged, and whose published folder (and PDF, and zip, when
asked for) is there, is not built again. The entries of the sites to build are removed (the manifest written) before any
is built, and an entry is written again only once its site is published: a build stopped anywhere
leaves no entry that claims a site other than the published one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import importlib.resources
import io
import json
import os
import re
import tempfile
import time
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from scopekb import __version__, clock
from scopekb.errors import InputError, writing
from scopekb.kb.articles import with_articles
from scopekb.kb.cache import CACHE_DIR
from scopekb.kb.load import PROVIDER_FILE, load_knowledge_base
from scopekb.kb.model import KnowledgeBase
from scopekb.mkdocs_plugin import engine
from scopekb.publish import swap
from scopekb.site.client_site import HOME_PAGE, client_site, public_documents, covered_categories

if TYPE_CHECKING:
    from scopekb.mkdocs_plugin.client_build import ClientSiteBuilder

MANIFEST = f"{CACHE_DIR}/client-sites.json"
SHARED = f"{CACHE_DIR}/client-assets"  # the static files every client site links to (client_build.py)
MANIFEST_VERSION = 1
_BUILD_FOLDER = re.compile(r"^\.(?P<name>.+)-(?P<pid>\d+)-(?P<rest>[A-Za-z0-9_]+)$")


@dataclass
class ClientSitesSummary:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    folder: Path | None = None


def clients_folder(config) -> Path:
    """site/clients/, beside the technicians' site (site_dir, site/internal/ by default)."""
    return Path(config.site_dir).parent / "clients"


def site_day(config) -> dt.date:
    """The day the sites are "as of": the scopekb plugin's `today` if set, else clock.today(), as the
    technicians' site."""
    given = config.plugins["scopekb"].config.today if "scopekb" in config.plugins else None
    try:
        return dt.date.fromisoformat(given) if given else clock.today()
    except ValueError:
        raise InputError([f"{engine.setting_place(Path(config.config_file_path).parent, 'plugins')}.scopekb.today: "
                          f"{given!r} is not a date (expected YYYY-MM-DD)"]) from None


def site_language(config) -> str:
    from scopekb.mkdocs_plugin.plugin import site_language as language_of

    plugin = config.plugins["scopekb"].config.language if "scopekb" in config.plugins else None
    return plugin or language_of(config.theme.get("language"))


# --- what a site is made from ---------------------------------------------------------------------------------

def _digest_files(paths) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(b"\xff missing")
        digest.update(b"\0")
    return digest.hexdigest()


def package_files(package: str) -> list[Path]:
    """Every file of a package's data (templates, words), sorted, but compiled Python."""
    top = importlib.resources.files(package)
    found = []
    for top_dir, dirs, names in os.walk(str(top)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [Path(top_dir) / name for name in sorted(names) if not name.endswith(".pyc")]
    return found


def common_hash(root: Path, options: dict) -> str:
    """What every client site is made from: provider file, templates, words, mkdocs.yml, versions, options."""
    versions = [__version__] + [importlib.metadata.version(name) for name in ("mkdocs", "mkdocs-material")]
    files = [root / PROVIDER_FILE, root / engine.CONFIG_FILE, *package_files("scopekb.site_templates"),
             *package_files("scopekb.words")]
    return hashlib.sha256(json.dumps([MANIFEST_VERSION, versions, options, _digest_files(files)],
                                     sort_keys=True).encode()).hexdigest()


def inputs_hash(root: Path, kb: KnowledgeBase, slug: str, lang: str, today: dt.date, common: str) -> str:
    """What client `slug`'s site is made from: `common`, its contract files, its public articles, its day and
    language."""
    client = kb.clients[slug]
    articles = public_documents(kb, covered_categories(client, today))
    files = [root / c.source for c in sorted(client.contracts, key=lambda c: c.source)]
    files += [root / a.source for a in articles]
    return hashlib.sha256(f"{common}\0{slug}\0{lang}\0{today.isoformat()}\0{_digest_files(files)}".encode()).hexdigest()


# --- the manifest --------------------------------------------------------------------------------------------

def read_manifest(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        return dict(data["sites"]) if data.get("version") == MANIFEST_VERSION else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(root: Path, sites: dict[str, str]) -> None:
    """Keep the manifest; where the cache cannot be written (a read-only tree), the next build builds all."""
    data = json.dumps({"version": MANIFEST_VERSION, "sites": dict(sorted(sites.items()))}, indent=0).encode()
    try:
        write_file_atomic(root / MANIFEST, data)
    except OSError:
        pass


def write_file_atomic(path: Path, data: bytes | Callable[[Path], None]) -> None:
    """Write `path` through a temporary file beside it (named after this process: a killed build's is
    removed by the next, remove_leftovers_in), renamed into place. `data`: bytes, or a function that
    writes the temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-{os.getpid()}-")
    os.close(descriptor)
    try:
        if callable(data):
            data(Path(temporary))
        else:
            Path(temporary).write_bytes(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_leftovers_in(folder: Path) -> None:
    """What builds killed before they finished left in `folder`: build folders, links and temporary files
    named `.NAME-PID-...` whose process is gone and that are not published (swap.remove_leftovers, for
    every name of the folder in one pass)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        found = _BUILD_FOLDER.match(entry.name)
        if not found or swap._alive(int(found.group("pid"))):
            continue
        published = folder / found.group("name")
        if published.is_symlink() and swap._target(published) == entry:
            continue
        swap._remove(entry)


# --- building ------------------------------------------------------------------------------------------------

@dataclass
class Options:
    pdf: bool = False
    zip: bool = False


def build_client_sites(root: Path, slugs: list[str] | None = None, options: Options | None = None,
                       kb: KnowledgeBase | None = None, config=None,
                       show: Callable[[str, int, int], None] | None = None) -> ClientSitesSummary:
    """Build the sites of `slugs` (default: every client) under site/clients/, those whose inputs changed;
    with every client, remove the sites of clients that are gone. Raises InputError on bad input, before
    anything is written."""
    started = time.perf_counter()
    root = Path(root).resolve()
    options = options or Options()
    show = show or (lambda *args: None)
    config = config or engine.load_config(root)
    today = site_day(config)
    kb = kb or with_articles(load_knowledge_base(root), root)
    every = slugs is None
    slugs = list(kb.clients) if every else slugs
    unknown = [slug for slug in slugs if slug not in kb.clients]
    if unknown:
        raise InputError([f"command line: --client: '{slug}' is no client's slug (expected the slug of a client, "
                          "as `scopekb check NAME --json` prints it)" for slug in unknown])
    if options.pdf:
        from scopekb.publish.pdf import find_chromium
        find_chromium()  # no Chromium: one error line before anything is built
    lang = site_language(config)
    languages = {slug: kb.clients[slug].lang or lang for slug in slugs}
    folder = clients_folder(config)
    summary = ClientSitesSummary(folder=folder)
    common = common_hash(root, {"pdf": options.pdf})
    manifest = read_manifest(root)
    with writing(lambda: engine.setting_place(root, "site_dir"), folder):
        folder.mkdir(parents=True, exist_ok=True)
    with swap.stopping_on_sigterm():
        remove_leftovers_in(folder)
        try:
            remove_leftovers_in((root / MANIFEST).parent)
        except OSError:
            pass
        todo = []
        for slug in slugs:
            wanted = inputs_hash(root, kb, slug, languages[slug], today, common)
            if manifest.get(slug) == wanted and is_published(folder, slug, options):
                summary.unchanged.append(slug)
                if options.zip and not (folder / f"{slug}.zip").is_file():
                    write_zip(folder, slug, today)
            else:
                todo.append((slug, wanted))
        if any(slug in manifest for slug, _ in todo):
            # No entry may claim a site while it is rebuilt: a build killed after publishing it, then a
            # build with the inputs of the entry, would find the entry right and keep the other site.
            for slug, _ in todo:
                manifest.pop(slug, None)
            write_manifest(root, manifest)
        if todo:  # MkDocs' building parts imported only now: a build that finds every site unchanged needs none
            from scopekb.mkdocs_plugin.client_build import ClientSiteBuilder

            builder = ClientSiteBuilder(root, config.markdown_extensions, config.mdx_configs, today)
            try:
                shared_folder(root, builder, client_site(kb, todo[0][0], languages[todo[0][0]], today, root))
            except OSError:  # a cache that cannot be written: each site gets its own copies
                builder.use_shared(None)
        try:
            for done, (slug, wanted) in enumerate(todo):
                show("building client sites", done, len(todo))
                build_one(builder, kb, slug, languages[slug], today, root, folder, options)
                manifest[slug] = wanted
                summary.built.append(slug)
            if every:
                summary.removed = remove_gone(folder, set(kb.clients), manifest)
        finally:
            write_manifest(root, {slug: hash_ for slug, hash_ in manifest.items() if slug in kb.clients})
    summary.seconds = time.perf_counter() - started
    return summary


def is_published(folder: Path, slug: str, options: Options) -> bool:
    site = folder / slug
    return (site.is_symlink() and (site / "index.html").is_file()
            and (not options.pdf or (site / f"{slug}.pdf").is_file()))


def shared_folder(root: Path, builder: ClientSiteBuilder, sample) -> Path:
    """The folder of the files every client site holds (theme and scopekb assets), made once and kept in
    the cache while they do not change; published as the sites are, so that a killed build leaves none
    half-written. Its `.listing` names its files, its `.key` what they were made from."""
    final = root / SHARED
    key = builder.shared_key(sample)
    try:
        if final.is_symlink() and (final / ".key").read_text() == key:
            listing = json.loads((final / ".listing").read_text(encoding="utf-8"))
            builder.use_shared(final.resolve(), listing)
            return final.resolve()
    except (OSError, ValueError):
        pass
    files = builder.shared_files(sample)
    fresh = swap.staging_folder(final)
    try:
        builder.write_shared(files, fresh)
        listing = {path: "theme" if isinstance(source, Path) else "scopekb" for path, source in files.items()}
        (fresh / ".listing").write_text(json.dumps(listing, sort_keys=True), encoding="utf-8")
        (fresh / ".key").write_text(key)
        swap.publish(fresh, final)
    except BaseException:
        swap.discard(fresh, final)
        raise
    builder.use_shared(fresh)
    return fresh


def build_one(builder: ClientSiteBuilder, kb: KnowledgeBase, slug: str, lang: str, today: dt.date, root: Path,
              folder: Path, options: Options) -> None:
    """Build one client's site beside its place, print its PDF into it, publish it, then its zip."""
    final = folder / slug
    fresh = staging(final)
    try:
        site = client_site(kb, slug, lang, today, root)
        builder.build(site, fresh)
        if options.pdf:
            from scopekb.publish.pdf import print_pdf
            print_pdf(fresh / HOME_PAGE.replace(".md", ".html"), fresh / f"{slug}.pdf", today)
        swap.publish(fresh, final)
    except BaseException:
        swap.discard(fresh, final)
        raise
    zipped = folder / f"{slug}.zip"
    if options.zip:
        write_zip(folder, slug, today)
    elif zipped.exists():
        zipped.unlink()  # of an earlier site: an archive never differs from its site


def staging(final: Path) -> Path:
    """An empty folder beside `final`, as swap.staging_folder makes it, without looking for leftovers
    (remove_leftovers_in looked once for every site)."""
    fresh = Path(tempfile.mkdtemp(prefix=f".{final.name}-{os.getpid()}-", dir=final.parent))
    umask = os.umask(0)
    os.umask(umask)
    fresh.chmod(0o777 & ~umask)
    return fresh


def remove_gone(folder: Path, slugs: set[str], manifest: dict[str, str]) -> list[str]:
    """Remove the published sites (and zips) of clients that are no longer in the knowledge base."""
    removed = []
    for entry in sorted(folder.iterdir()):
        name = entry.name.removesuffix(".zip") if entry.name.endswith(".zip") else entry.name
        if name.startswith(".") or name in slugs:
            continue
        if entry.is_symlink():
            target = swap._target(entry)
            entry.unlink()
            if target is not None:
                swap._remove(target)
        elif entry.name.endswith(".zip") and entry.is_file():
            entry.unlink()
        else:
            continue
        manifest.pop(name, None)
        removed.append(name)
    return sorted(set(removed))


# --- the archive ---------------------------------------------------------------------------------------------

# Deflated files by their content's hash: the theme's and scopekb's files are the same in every site, and
# compressing them was most of an archive's time (0.29 s a site with zipfile, the theme's 2.5 MB each time).
_DEFLATED: dict[bytes, tuple[int, bytes]] = {}
_DEFLATED_BYTES = 64 << 20  # kept while they hold less than this


def _deflated(data: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate stream) of `data`, from the cache when the same bytes were compressed before."""
    key = hashlib.sha1(data).digest()
    found = _DEFLATED.get(key)
    if found is None:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        found = (zlib.crc32(data), packer.compress(data) + packer.flush())
        if sum(len(v[1]) for v in _DEFLATED.values()) < _DEFLATED_BYTES:
            _DEFLATED[key] = found
    return found


def zip_bytes(entries: list[tuple[str, bytes]], day: dt.date) -> bytes:
    """A zip archive of `entries` (name, bytes) in that order, each deflated, dated `day` at 00:00, mode
    0644, names in UTF-8: the same entries give the same bytes. Written here rather than with zipfile, to
    reuse the compressed data of files met before (`_deflated`)."""
    date = ((max(day.year, 1980) - 1980) << 9) | (day.month << 5) | day.day
    local, central = io.BytesIO(), io.BytesIO()
    for name, data in entries:
        crc, packed = _deflated(data)
        encoded = name.encode("utf-8")
        offset = local.tell()
        # version needed 2.0, flags: UTF-8 names, method: deflate, time 00:00
        local.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, date, crc, len(packed), len(data),
                                len(encoded), 0) + encoded)
        local.write(packed)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, 0x800, 8, 0, date, crc,
                                  len(packed), len(data), len(encoded), 0, 0, 0, 0, 0o100644 << 16, offset) + encoded)
    directory = central.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), local.tell(), 0)
    return local.getvalue() + directory + end


def write_zip(folder: Path, slug: str, today: dt.date) -> None:
    """site/clients/SLUG.zip: the published site under a folder SLUG/, entries sorted by name, each dated by
    the site's day: the same site gives the same bytes."""
    site = (folder / slug).resolve()
    paths = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    data = zip_bytes([(f"{slug}/{rel}", (site / rel).read_bytes()) for rel in paths], today)
    write_file_atomic(folder / f"{slug}.zip", data)
