"""The MkDocs plugin `scopekb`: adds the generated pages to a MkDocs build.

Thin on purpose: the knowledge base comes from kb/, the pages from site/ as
data; nothing is ever written into docs_dir. Generated pages (a client's, a
decision tree) stay out of the navigation, so that every page does not carry
a sidebar of every client (which makes builds quadratic in the client count).

Two ways to build them, equal byte for byte (tests/test_plain_path.py):
- `fast: false`, the plain way: each generated page is a file whose Markdown
  MkDocs renders as any page, the theme around each;
- `fast: true` (default): a second process renders their HTML (worker.py)
  while MkDocs builds; their titles are converted as one document (pages.py); the
  theme renders its frame around them once per folder (frame.py); a page the
  published site holds as it is gets linked (unchanged.py), the others written
  by a thread (writer.py).
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Callable

from markdown import Markdown
from markupsafe import escape
from mkdocs.config import base
from mkdocs.config import config_options as opt
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from scopekb import clock
from scopekb.errors import InputError
from scopekb.kb.articles import TICKETS_DIR, with_articles
from scopekb.kb.load import load_knowledge_base
from scopekb.kb.model import KnowledgeBase
from scopekb.mkdocs_plugin.frame import FramedPages, TemplateCache, striptags_escaped
from scopekb.mkdocs_plugin.pages import GeneratedPage, Titles, add_headings
from scopekb.mkdocs_plugin.unchanged import UnchangedPages
from scopekb.mkdocs_plugin.worker import BuildWorker
from scopekb.mkdocs_plugin.writer import PageWriter
from scopekb.site.categories import article_footer
from scopekb.site.context import SiteContext, html_headings, html_page, package_folders, section_title, split_html_page
from scopekb.site.scenarios import out_of_nav, with_tickets
from scopekb.site.search import search_index
from scopekb.site.pages import STYLESHEETS, generated_pages, page_body, render_site, shipped_scripts
from scopekb.words import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger("mkdocs.plugins.scopekb")
PLACEHOLDER = "SCOPEKBGENERATEDHTML"
TEMPLATE_CACHE = ".scopekb-cache/templates"


class ScopekbConfig(base.Config):
    root = opt.Optional(opt.Type(str))
    """The knowledge-base folder, which holds contracts/; default: the folder of mkdocs.yml."""
    language = opt.Optional(opt.Choice(LANGUAGES))
    """The language of the generated pages (fr, en); default: theme.language."""
    today = opt.Optional(opt.Type(str))
    """The date (YYYY-MM-DD) the site is built for; default: clock.today() (SOURCE_DATE_EPOCH, else Paris)."""
    fast = opt.Type(bool, default=True)
    """Build the generated pages with a second process and the theme's frame; false: the plain way."""


def site_language(theme_language: str | None) -> str:
    code = (theme_language or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class ScopekbPlugin(BasePlugin[ScopekbConfig]):
    def __init__(self) -> None:
        self.knowledge_base: KnowledgeBase | None = None  # handed over by `scopekb build`, else loaded
        self.worker: BuildWorker | None = None
        self.progress: Callable[[int, int], None] | None = None
        self.published: Path | None = None
        self.unchanged: UnchangedPages | None = None
        self.writer: PageWriter | None = None
        self.pages_total = self.pages_done = 0
        self.bodies: dict[str, str] = {}  # page path -> HTML under its title, until MkDocs renders the page
        self.articles: dict = {}  # page path -> Article, for the articles' pages
        self.article_contents: dict[str, str] = {}  # page path -> the HTML MkDocs made of it, for the search

    def hand_over(self, kb: KnowledgeBase, worker: BuildWorker | None = None,
                  progress: Callable[[int, int], None] | None = None, published: Path | None = None) -> None:
        """What `scopekb build` has ready before MkDocs starts: the knowledge base it checked, the build's
        second process (started early), a callback (pages done, pages in all) to show progress, and the
        published site the build will replace (its unchanged pages are linked: unchanged.py)."""
        self.knowledge_base, self.worker, self.progress, self.published = kb, worker, progress, published

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
        if "material/search" in config.plugins and config.plugins["material/search"].config.enabled:
            log.warning("scopekb: the site has a search of its own; Material's search plugin, listed under "
                        "plugins, adds a second box and an index that thousands of clients make slow to load")
        features = config.theme.get("features")
        if config.repo_url and config.edit_uri and isinstance(features, list) and "content.action.edit" not in features:
            features.append("content.action.edit")  # Material shows an article's edit link only when asked
        config.extra_css.extend(path for path in STYLESHEETS if path not in config.extra_css)
        scripts = [str(script) for script in config.extra_javascript]
        config.extra_javascript.extend(path for path in shipped_scripts() if path not in scripts)
        return config

    def on_serve(self, server, config, builder):
        # Rebuild when a contract or the provider changes (articles are in docs_dir, watched already), and
        # when scopekb's own templates or words do; a rebuild refused for bad data says so in one line and
        # keeps the server and the last good site.
        for folder in (self.root / "contracts", *package_folders()):
            if folder.is_dir():
                server.watch(str(folder))

        def rebuild():
            try:
                builder()
            except Abort:  # MkDocs has logged the plugin's error lines
                log.error("scopekb: the site was not rebuilt: the last good one is served until the errors "
                          "above are fixed")
        server.builder = rebuild
        return server

    def on_pre_build(self, config) -> None:
        # Before MkDocs empties site_dir: bad data must leave the previous site in place.
        if self.knowledge_base is None:
            try:
                self.knowledge_base = with_articles(load_knowledge_base(self.root), self.root)
            except InputError as error:
                raise PluginError("\n".join(error.messages)) from None
        kb = self.knowledge_base = with_tickets(self.knowledge_base, self.root, self.language, log)
        self.generated = generated_pages(kb, self.language)  # (path, kind, slug, title, built file)
        if self.config.fast:  # the second process starts on the pages' HTML now, while MkDocs lists files
            self.worker = self.worker or BuildWorker()
            self.worker.start(kb, self.language, self.today, config.use_directory_urls,
                              [page[:3] for page in self.generated])

    def on_files(self, files: Files, config) -> Files:
        kb, lang, today = self.knowledge_base, self.language, self.today
        self.unchanged = UnchangedPages.of(self.published, Path(config.site_dir))
        self.writer = PageWriter(Path(config.site_dir)) if self.config.fast else None
        tickets = (self.root / TICKETS_DIR).resolve()
        for file in list(files):  # ticket exports hold personal data: never published as they are
            if file.abs_src_path and Path(file.abs_src_path).resolve().is_relative_to(tickets):
                files.remove(file)
        self.site = SiteContext(kb, lang, today, config.use_directory_urls)
        self.articles = {article.page: article for article in kb.articles}
        pages = render_site(kb, "internal", lang, today, config.use_directory_urls, generated=False)
        for path in [*pages, *(page[0] for page in self.generated)]:
            existing = files.get_file_from_path(path)
            if existing is not None:
                log.warning(f"scopekb: the generated page {path} replaces {existing.src_uri} of the docs folder")
                files.remove(existing)
        for path, content in pages.items():
            inclusion = InclusionLevel.NOT_IN_NAV if out_of_nav(path) else InclusionLevel.UNDEFINED
            files.append(File.generated(config, path, content=content, inclusion=inclusion))
        if self.config.fast:
            titles = Titles(Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs))
        for path, kind, slug, title, built in self.generated:
            body = "" if self.config.fast else page_body(self.site, kind, slug).removesuffix("\n")
            file = File.generated(config, path, content=html_page(title, body), inclusion=InclusionLevel.NOT_IN_NAV)
            file.dest_uri = built
            if self.config.fast:
                GeneratedPage(file, config, titles)
                titles.expect(path, split_html_page(file.content_string)[0])
            files.append(file)
        self.pages_total, self.pages_done = len(files.documentation_pages()), 0
        self.article_contents = {}
        if not self.articles and self.worker is not None and self.config.fast:
            self.worker.index({})
        return files

    def on_nav(self, nav, config, files):
        for page in nav.pages:  # sections MkDocs titled from a folder name: in the site's language
            if page.ancestors and "/" in page.file.src_uri:
                top = page.ancestors[-1]
                top.title = section_title(top.title, page.file.src_uri.split("/")[0], self.language)
        return nav

    def on_pre_page(self, page, config, files):
        # The sitemap dates each page, and its gzip copy the site, by the day the pages are "as of"
        # (MkDocs would take the day in UTC, or SOURCE_DATE_EPOCH's, the same then).
        page.update_date = self.today.isoformat()
        return page

    def on_page_markdown(self, markdown: str, page, config, files) -> str:
        article = self.articles.get(page.file.src_uri)
        if article is not None:  # its categories and their clients, at its foot
            if isinstance(page.meta.get("title"), str):
                # The front matter's title is text (scopekb's pages show it so), but the theme writes it into
                # the page's <title>, its heading and every page's navigation as it is, markup included:
                # `title: "Erreur <0x80>"` would vanish there, a `<script>` would run. Markup (escaped) is
                # written as the text it stands for, and left alone by the theme's `|e` and `striptags`.
                page.meta["title"] = escape(page.meta["title"])
            return f"{markdown.rstrip()}\n\n{article_footer(self.site, article)}\n"
        # A generated page is a Markdown title and ready HTML: only the title goes through Markdown.
        parts = split_html_page(markdown)
        if parts is None or isinstance(page, GeneratedPage):
            return markdown
        self.bodies[page.file.src_uri] = parts[1]
        return f"{parts[0]}\n\n{PLACEHOLDER}\n"

    def on_page_content(self, html: str, page, config, files) -> str:
        if page.file.src_uri in self.articles:
            self.article_contents[page.file.src_uri] = html
            if len(self.article_contents) == len(self.articles) and self.worker is not None and self.config.fast:
                self.worker.index(self.article_contents)  # all the search index needs of MkDocs
        body = self.bodies.pop(page.file.src_uri, None)
        if body is None:
            return html
        add_headings(page.toc, html_headings(body))
        return html.replace(f"<p>{PLACEHOLDER}</p>", body, 1)

    def on_env(self, env, config, files):
        env.filters["striptags"] = striptags_escaped  # contract text reaches titles: see its docstring
        if self.config.fast:
            FramedPages().install(env)
            env.bytecode_cache = TemplateCache.under(self.root / TEMPLATE_CACHE)
        return env

    @event_priority(100)
    def on_page_context(self, context, page, config, nav):
        if isinstance(page, GeneratedPage):
            page.picked_template()
            if page.waits_for_body:
                page.add_body(self.worker.body(page.file.src_uri))
        return context

    @event_priority(-100)  # last: the page as every plugin left it
    def on_post_page(self, output: str, page, config) -> str:
        self.pages_done += 1
        if self.progress is not None:
            self.progress(self.pages_done, self.pages_total)
        linked = self.unchanged is not None and self.unchanged.link(page.file, output)
        if not linked and self.writer is not None:
            self.writer.take(page.file, output)
        if isinstance(page, GeneratedPage):
            page.content = None  # written: a build of thousands of pages need not keep their HTML
        return output

    def on_post_build(self, config) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.finish()
        writer, self.writer = self.writer, None
        search_files = worker.search_files if worker is not None else None
        if self.unchanged is not None:
            log.debug(f"scopekb: {self.unchanged.done()} unchanged pages linked from the published site")
        try:
            if writer is not None:
                writer.done()
            for path, text in (search_files or search_index(self.site, self.article_contents).files()).items():
                target = Path(config.site_dir) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        except OSError as error:
            raise PluginError(f"scopekb: cannot write {error.filename}: {error.strerror} "
                              "(expected a site_dir where files can be written)") from None

    def on_build_error(self, error) -> None:
        """Also called by `scopekb build` when the build is stopped (Ctrl-C, SIGTERM), which MkDocs does not
        report: no helper may go on writing into a site being removed."""
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.stop()
        if self.unchanged is not None:
            self.unchanged.done()
        worker, self.worker = self.worker, None
        if worker is not None:  # no page may land in a site being removed
            worker.stop()
