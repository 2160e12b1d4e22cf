"""The MkDocs plugin `scopekb`: adds the generated pages to a MkDocs build.

Thin on purpose: loading is load.py, pages are render.py. The pages are
injected as generated files; nothing is ever written into docs_dir. Client
pages stay out of the navigation, so that every page does not carry a
sidebar of every client (which makes builds quadratic in the client count).
A second process (build_worker.py) renders the HTML of the client pages,
writes the decision-tree pages and indexes the generated pages for Material's
search while MkDocs builds the pages. The theme renders its frame around
client pages once, and each client page fills it in (plugin_frame.py).
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Callable

from markdown import Markdown
from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from material.plugins.search.plugin import SearchPlugin

from scopekb import clock
from scopekb.mkdocs_plugin.search_entries import PageToIndex, merge_search_entries
from scopekb.mkdocs_plugin.worker import BuildWorker
from scopekb.errors import InputError
from scopekb.words import DEFAULT_LANGUAGE, LANGUAGES
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import KnowledgeBase
from scopekb.mkdocs_plugin.frame import FramedPages, TemplateCache
from scopekb.mkdocs_plugin.pages import ClientPage, add_headings
from scopekb.site.pages import STYLESHEETS, client_page, html_page, render_site, shipped_scripts, tree_page
from scopekb.site.context import client_html, split_html_page

log = logging.getLogger("mkdocs.plugins.scopekb")
PLACEHOLDER = "SCOPEKBGENERATEDHTML"
TEMPLATE_CACHE = ".scopekb-cache/templates"
SEARCH_CACHE = ".scopekb-cache/search-entries.pickle"


class ScopekbConfig(base.Config):
    root = opt.Optional(opt.Type(str))  # the knowledge-base folder; default: the one holding mkdocs.yml
    language = opt.Optional(opt.Choice(LANGUAGES))  # default: theme.language
    today = opt.Optional(opt.Type(str))  # ISO date the site is built for; default: clock.today()


def site_language(theme_language: str | None) -> str:
    code = (theme_language or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class ScopekbPlugin(BasePlugin[ScopekbConfig]):
    def __init__(self) -> None:
        # set by hand_over when `scopekb build` runs MkDocs; a plain `mkdocs build` loads the knowledge base
        self.knowledge_base: KnowledgeBase | None = None
        self.worker: BuildWorker | None = None
        self.progress: Callable[[int, int], None] | None = None
        self.pages_total = self.pages_done = 0
        self.html_parts: dict[str, str] = {}
        self.client_pages: dict[str, str] = {}  # slug by page path
        self.generated: set[str] = set()  # pages made of generated HTML
        self.search_order: list[str] = []  # URLs of the pages, as Material's search met them
        self.handed_over: tuple | None = None  # (page, its own search settings) while Material skips it

    def hand_over(self, kb: KnowledgeBase, worker: BuildWorker | None = None,
                  progress: Callable[[int, int], None] | None = None) -> None:
        """What `scopekb build` has ready before MkDocs starts: the knowledge base it checked, the build's
        second process (started early), and a callback (pages done, pages in all) to show progress."""
        self.knowledge_base, self.worker, self.progress = kb, worker, progress

    def on_config(self, config):
        folder = Path(config.config_file_path).parent
        self.root = (folder / self.config.root) if self.config.root else folder
        self.language = self.config.language or site_language(config.theme.get("language"))
        try:
            # One day for the whole build, even one that runs past midnight (clock.py says which).
            self.today = dt.date.fromisoformat(self.config.today) if self.config.today else clock.today()
        except ValueError:
            raise PluginError(f"{config.config_file_path}: plugins.scopekb.today: {self.config.today!r} "
                              "is not a date (expected YYYY-MM-DD)")
        except InputError as error:
            raise PluginError("\n".join(error.messages)) from None
        for path in STYLESHEETS:
            if path not in config.extra_css:
                config.extra_css.append(path)
        for path in shipped_scripts():
            if path not in [str(script) for script in config.extra_javascript]:
                config.extra_javascript.append(path)
        return config

    def on_pre_build(self, config) -> None:
        # Before MkDocs empties site_dir: bad data must leave the previous site in place.
        if self.knowledge_base is None:
            try:
                self.knowledge_base = load_knowledge_base(self.root)
            except InputError as error:
                raise PluginError("\n".join(error.messages)) from None

    def on_files(self, files: Files, config) -> Files:
        kb, today, urls = self.knowledge_base, self.today, config.use_directory_urls
        search = next((p for p in config.plugins.values() if isinstance(p, SearchPlugin) and p.config.enabled), None)
        self.worker = self.worker or BuildWorker()
        self.worker.start(kb, self.language, today, urls, Path(config.site_dir),  # empty by now
                          dict(search.config) if search else None, self.root / SEARCH_CACHE)
        self.search_order.clear()
        pages = render_site(kb, "internal", self.language, today, urls, trees=False, client_pages=False)
        self.client_pages = {client_page(slug): slug for slug in kb.clients}
        for path in [*pages, *self.client_pages, *(tree_page(slug) for slug in kb.clients)]:
            existing = files.get_file_from_path(path)
            if existing is not None:
                log.warning(f"scopekb: the generated page {path} replaces {existing.src_uri} of the docs folder")
                files.remove(existing)
        title_parser = Markdown(extensions=config.markdown_extensions,
                                extension_configs=config.mdx_configs or {})
        for path, content in pages.items():
            files.append(File.generated(config, path, content=content))
        for path, slug in self.client_pages.items():  # a title now, the HTML from the second process
            file = File.generated(config, path, content=html_page(kb.clients[slug].name, ""),
                                  inclusion=InclusionLevel.NOT_IN_NAV)
            file.dest_uri = client_html(slug)
            ClientPage(file, config, title_parser, slug)
            self.generated.add(path)
            files.append(file)
        self.pages_total, self.pages_done = len(files.documentation_pages()), 0
        return files

    def on_pre_page(self, page, config, files):
        # The sitemap dates each page, and its gzip copy the site, by the day the pages are "as of"
        # (MkDocs would take the day in UTC, or SOURCE_DATE_EPOCH's, the same then).
        page.update_date = self.today.isoformat()
        return page

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        # Generated pages are a Markdown title and ready HTML: only the title goes through Markdown.
        parts = split_html_page(markdown)
        if parts is None or isinstance(page, ClientPage):
            return markdown
        slug = self.client_pages.get(page.file.src_uri)  # a client page that MkDocs made itself
        self.html_parts[page.file.src_uri] = self.worker.body(slug) if slug else parts[1]
        return f"{parts[0]}\n\n{PLACEHOLDER}\n"

    def on_page_content(self, html: str, page, config, files) -> str:
        body = self.html_parts.pop(page.file.src_uri, None)
        if body is None:
            return html
        add_headings(page.toc, body)
        self.generated.add(page.file.src_uri)
        return html.replace(f"<p>{PLACEHOLDER}</p>", body, 1)

    def on_env(self, env, config, files):
        # Every page is read: the second process can index the client pages from their titles' headings
        # and the HTML it renders (render_search.py reads them faster than Material's parser would).
        FramedPages().install(env)
        env.bytecode_cache = TemplateCache.under(self.root / TEMPLATE_CACHE)
        if self.worker.search_config is not None:
            self.worker.index_clients({page.slug: (page.url, page.title, page.heading) for file in files
                                       if isinstance(page := file.page, ClientPage) and page.waits_for_body})
        return env

    # Material's search indexes page.content in its on_page_context. A generated page's entries are
    # made apart, with the same indexer, and go into its index later; Material skips the page meanwhile.
    @event_priority(100)
    def _before_search(self, context, page, config, nav):
        if isinstance(page, ClientPage):
            page.picked_template()
            if page.waits_for_body:
                page.add_body(self.worker.body(page.slug))
        self.search_order.append(page.url)
        search = page.meta.get("search") or {}
        if page.file.src_uri in self.generated and self.worker.search_config is not None and not search.get("exclude"):
            if not (isinstance(page, ClientPage) and page.as_rendered()):  # else the second process does it
                self.worker.index(PageToIndex(page.url, page.title, dict(page.meta), page.content))
            self.handed_over = (page, page.meta.get("search"))
            page.meta["search"] = {**search, "exclude": True}
        return context

    @event_priority(-100)
    def _after_search(self, context, page, config, nav):
        if self.handed_over is not None:
            page, search = self.handed_over
            page.meta["search"] = search
            if search is None:
                del page.meta["search"]
            self.handed_over = None
        return context

    on_page_context = CombinedEvent(_before_search, _after_search)

    def on_post_page(self, output: str, page, config) -> str:
        self.pages_done += 1
        if self.progress is not None:
            self.progress(self.pages_done, self.pages_total)
        return output

    @event_priority(-100)  # after Material's search has written its index
    def on_post_build(self, config) -> None:
        entries: dict = {}
        try:
            if self.worker is not None:
                self.worker.share_trees()
                _, entries = self.worker.finish()  # on a failure, on_build_error waits for the process
                self.worker = None
            if entries:
                merge_search_entries(Path(config.site_dir) / "search" / "search_index.json", self.search_order, entries)
        except OSError as error:
            raise PluginError(f"scopekb: cannot write {error.filename}: {error.strerror}") from None

    def on_build_error(self, error) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:  # no page may land in a site being removed
            worker.finish(raise_error=False)
