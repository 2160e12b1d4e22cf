"""Client sites through MkDocs' Python API: many small sites in one process, each as MkDocs builds it.

A client site (site/client_site.py) is a few pages; MkDocs' `build()` spends far more on what is the
same for every site than on those pages: the configuration and the theme loaded again, a Jinja
environment made again (its templates compiled again), Material's 14,000 template files listed and
filtered to find its 44 static files, and those files copied (2.5 MB a site). So `ClientSiteBuilder`
does once, per language, what does not depend on the client:

- the configuration, loaded and validated once (`config`); a site only sets its name, its navigation
  and its folder on it;
- the theme's Jinja environment, made once: its templates compile once for all sites;
- the static files every site has (the theme's, and scopekb's styles and scripts: `shared_files`),
  written once into a folder the caller keeps (`shared`), and hard-linked into each site (copied where
  the file system cannot link): a site costs a few directory entries, not 2.5 MB.

Then `build` runs MkDocs' own steps of a build on the site's pages, in `build()`'s order and with
its functions (`get_navigation`, `_populate_page`, `_build_theme_template`, `_build_page`), so the
pages, 404.html and the sitemap are what `build()` makes of them. `build_with_mkdocs` builds the same
site with MkDocs' `build()` itself, the site's pages handed over by a plugin (`ClientPagesPlugin`):
tests/test_client_sites_build.py builds sites both ways and compares them byte for byte.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import importlib.metadata
import logging
import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, PluginCollection
from mkdocs.structure.files import File, Files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from scopekb.errors import InputError
from scopekb.mkdocs_plugin.frame import TemplateCache
from scopekb.mkdocs_plugin.plugin import TEMPLATE_CACHE
from scopekb.site.client_site import SCRIPTS, STYLESHEETS, ClientSite

log = logging.getLogger("mkdocs.plugins.scopekb")
DOCS_FOLDER = ".scopekb-cache/client-docs"  # an empty docs folder: a client site's pages are all generated


class ClientSiteBuilder:
    """Builds client sites, sharing configuration, theme environment and static files between them.

    `markdown_extensions` and `mdx_configs` are those of the technicians' site (mkdocs.yml), for which
    the articles are written. `shared` is a folder holding `shared_files()` (the caller writes it once,
    `write_shared`); `build` links each site's static files from it.
    """

    def __init__(self, root: Path, markdown_extensions: list, mdx_configs: dict, today: dt.date):
        self.root, self.today = Path(root), today
        self.extensions, self.mdx_configs = list(markdown_extensions), dict(mdx_configs)
        self.configs: dict[str, MkDocsConfig] = {}
        self.envs: dict = {}
        self.shared: Path | None = None
        self._theme_files: dict[str, Path] | None = None

    # --- what all sites share -------------------------------------------------------------------------

    def config(self, lang: str) -> MkDocsConfig:
        """The configuration of a client site in `lang`, loaded once."""
        if lang not in self.configs:
            docs = self.root / DOCS_FOLDER
            try:
                docs.mkdir(parents=True, exist_ok=True)
            except OSError:  # a cache that cannot be written: an empty folder elsewhere
                docs = Path(tempfile.mkdtemp(prefix="scopekb-client-docs-"))
            config = MkDocsConfig(config_file_path=str(self.root / "mkdocs.yml"))
            config.load_dict({
                "site_name": "scopekb", "docs_dir": str(docs), "site_dir": str(self.root / "site" / "clients"),
                "use_directory_urls": False,  # a site read from a disk, where a folder is not its index.html
                "theme": {"name": "material", "language": lang, "font": False},  # no font from a CDN
                "plugins": [],  # MkDocs' validation takes these lists apart: a new one each time
                "markdown_extensions": [{name: copy.deepcopy(self.mdx_configs[name])} if name in self.mdx_configs
                                        else name for name in self.extensions],
                "extra_css": list(STYLESHEETS), "extra_javascript": list(SCRIPTS),
            })
            errors, _ = config.validate()
            if errors:
                raise InputError([f"mkdocs.yml:1: {key}: {error} (expected settings a client site can use)"
                                  for key, error in errors])
            self.configs[lang] = config
            env = self.envs[lang] = config.theme.get_env()
            env.bytecode_cache = TemplateCache.under(self.root / TEMPLATE_CACHE)  # compiled by an earlier build
        return self.configs[lang]

    def theme_files(self) -> dict[str, Path]:
        """The theme's static files as MkDocs finds them: path in the site -> file (the same for every
        language: a language changes only the templates' words). Listing them means listing and filtering
        the theme's 14,000 template files: done once, and kept with the shared folder (`shared_key`)."""
        if self._theme_files is None:
            lang = next(iter(self.configs), "fr")
            config = self.config(lang)
            files = Files([])
            files.add_files_from_theme(self.envs[lang], config)
            self._theme_files = {f.dest_uri: Path(f.abs_src_path) for f in files if not f.is_documentation_page()}
        return self._theme_files

    def shared_files(self, site: ClientSite) -> dict[str, Path | str]:
        """What every client site holds, the same bytes in each: path in the site -> source file or text."""
        return {**self.theme_files(), **site.assets}

    def shared_key(self, site: ClientSite) -> str:
        """What the shared files depend on, found without listing the theme: MkDocs' and the theme's versions
        and folders, and scopekb's assets."""
        config = self.config(site.lang)
        digest = hashlib.sha256()
        for part in (importlib.metadata.version("mkdocs"), importlib.metadata.version("mkdocs-material"),
                     *config.theme.dirs, *sorted(config.theme.static_templates)):
            digest.update(f"{part}\0".encode())
        for path, text in sorted(site.assets.items()):
            digest.update(f"{path}\0{text}\0".encode())
        return digest.hexdigest()[:16]

    def use_shared(self, folder: Path | None, listing: dict[str, str] | None = None) -> None:
        """Link sites' shared files from `folder`; `listing` (path -> "theme" or "scopekb"), when known, spares
        listing the theme."""
        self.shared = folder
        if folder is not None and listing is not None:
            self._theme_files = {path: folder / path for path, kind in listing.items() if kind == "theme"}

    @staticmethod
    def write_shared(files: dict[str, Path | str], folder: Path) -> None:
        """Write the shared files into `folder` (a new, empty one)."""
        for path, source in files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(source, Path):
                shutil.copyfile(source, target)
            else:
                target.write_bytes(source.encode("utf-8"))

    # --- one site ---------------------------------------------------------------------------------------

    def _prepare(self, site: ClientSite, folder: Path) -> MkDocsConfig:
        config = self.config(site.lang)
        config.site_name, config.nav, config.site_dir = site.site_name, site.nav, str(folder)
        config.plugins = PluginCollection()
        config.plugins._current_plugin = None  # as MkDocs' validation leaves it
        return config

    def build(self, site: ClientSite, folder: Path) -> None:
        """Build `site` into `folder` (empty), as MkDocs' build() does, its shared files linked from `shared`."""
        config = self._prepare(site, folder)
        env = self.envs[site.lang]
        files = Files([File.generated(config, path, content=text) for path, text in site.pages.items()])
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        contents = {}
        for file in files.documentation_pages():
            page = file.page if file.page is not None else Page(None, file, config)
            page.update_date = self.today.isoformat()  # the sitemap's date: the day the site is "as of"
            mkdocs_build._populate_page(page, config, files)
            contents[file.src_uri] = page.content
        link_files(self.shared, folder, self.shared_files(site))
        for template in sorted(config.theme.static_templates):
            mkdocs_build._build_theme_template(template, env, files, config, nav)
        doc_files = files.documentation_pages()
        for file in doc_files:
            mkdocs_build._build_page(file.page, config, doc_files, nav, env)
        write_search_index(site, contents, folder)

    def build_with_mkdocs(self, site: ClientSite, folder: Path) -> None:
        """Build `site` into `folder` with MkDocs' build() itself: every file copied, the theme loaded anew."""
        config = self._prepare(site, folder)
        config.plugins["scopekb-client"] = ClientPagesPlugin(site, self.today)
        config.theme.get_env = lambda: self.envs[site.lang]  # its templates compiled once
        try:
            mkdocs_build.build(config)
        finally:
            del config.theme.get_env


class ClientPagesPlugin(BasePlugin):
    """A client site's pages and assets handed to MkDocs' build(), its search index written after it."""

    def __init__(self, site: ClientSite, today: dt.date):
        super().__init__()
        self.site, self.today, self.contents = site, today, {}

    def on_files(self, files: Files, config) -> Files:
        for path, text in self.site.pages.items():
            files.append(File.generated(config, path, content=text))
        for path, text in self.site.assets.items():
            files.append(File.generated(config, path, content=text))
        return files

    def on_pre_page(self, page, config, files):
        page.update_date = self.today.isoformat()
        return page

    def on_page_content(self, html: str, page, config, files) -> str:
        self.contents[page.file.src_uri] = html
        return html

    def on_post_build(self, config) -> None:
        write_search_index(self.site, self.contents, Path(config.site_dir))


def write_search_index(site: ClientSite, contents: dict[str, str], folder: Path) -> None:
    for path, text in site.search_index(contents).files().items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def link_files(shared: Path | None, folder: Path, files: dict) -> None:
    """Hard-link `files` from `shared` into `folder`; copy them where a link cannot be made (another file
    system, no hard links), or write them when there is no shared folder."""
    if shared is None:
        ClientSiteBuilder.write_shared(files, folder)
        return
    for parent in sorted({os.path.dirname(path) for path in files}):
        if parent:
            os.makedirs(folder / parent, exist_ok=True)
    can_link = True
    for path in files:
        source, target = shared / path, folder / path
        if can_link:
            try:
                os.link(source, target)
                continue
            except OSError as error:
                if error.errno not in (18, 1, 31, 95, 38):  # EXDEV, EPERM, EMLINK, EOPNOTSUPP, ENOSYS
                    raise
                can_link = False
        shutil.copyfile(source, target)
