"""The `scopekb` command: a thin click layer over the library.

Exceptions become one-line messages here, and only here: bad input of any
kind exits with status 2, output that cannot be written with status 1, and
neither shows a traceback.

What a command says when it succeeds (and `build`'s progress) comes from the
catalogue (`cli.*`), in the knowledge base's language (`kb_language`); error
lines and --help stay in English (see scopekb.words).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import os
import re
import signal
import sys
from pathlib import Path

import click

from scopekb import clock
from scopekb.errors import InputError, writing
from scopekb.publish.swap import Terminated, sigterm_received
from scopekb.words import DEFAULT_LANGUAGE, LANGUAGES, message
from scopekb.kb.model import REQUEST_KINDS

# The stages publish.build.build_site shows, by the names it gives them -> their words in the catalogue.
BUILD_STAGES = {"loading contracts": "cli.loading", "building pages": "cli.building",
                "building client sites": "cli.building-clients"}

ROOT_OPTION = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
                           show_default=True, help="Knowledge-base folder (holds contracts/).")


def kb_language(root: Path) -> str:
    """The language of the knowledge base in `root`, for what a command says on success: that of its
    mkdocs.yml (the scopekb plugin's `language`, else theme.language), as engine.site_language reads it,
    but as plain YAML (MkDocs takes seconds to load it); French when there is none, or it cannot be read
    (the build reports its errors)."""
    import yaml

    class Lenient(yaml.SafeLoader):  # mkdocs.yml may hold !ENV or !!python/name: values: read as nothing
        pass
    Lenient.add_multi_constructor("", lambda loader, suffix, node: None)

    def setting(value, key):
        return value.get(key) if isinstance(value, dict) else None
    try:
        config = yaml.load((Path(root) / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Lenient)
    except (OSError, ValueError, yaml.YAMLError):
        return DEFAULT_LANGUAGE
    plugins = setting(config, "plugins")
    ours = next((setting(p["scopekb"], "language") for p in (plugins if isinstance(plugins, list) else [plugins])
                 if isinstance(p, dict) and "scopekb" in p), None)
    code = str(ours or setting(setting(config, "theme"), "language") or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            if len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a date (expected YYYY-MM-DD)", param, ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scopekb")
def cli():
    """scopekb: helpdesk contract scopes, coverage verdicts and resolution scenarios.

    \b
    Examples:
      scopekb check "Transports Martin" --item "imprimante laser"
      scopekb validate --root ./kb
      scopekb build
    """


@cli.command()
@click.argument("client")
@click.option("--kind", default="incident", show_default=True, metavar="KIND",
              help="Request kind: " + ", ".join(REQUEST_KINDS) + " (case ignored).")
@click.option("--item", metavar="TEXT", help="What the request is about, in the caller's words.")
@click.option("--asset", metavar="ID", help="Asset id from the client's equipment.")
@click.option("--acquired", type=IsoDate(), help="Acquisition date of the hardware concerned.")
@click.option("--date", "on", type=IsoDate(),
              help="Date of the request (default: today in Europe/Paris, or SOURCE_DATE_EPOCH's UTC date).")
@click.option("--lang", default="fr", show_default=True, metavar="LANG", help="Language: fr or en (case ignored).")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
@ROOT_OPTION
def check(client, kind, item, asset, acquired, on, lang, as_json, root):
    """Is this request covered? Answers handle, route, out-of-scope, no-contract or ask.

    CLIENT is the client's name, one of its aliases or its slug (case and
    accents ignored). Exit status 0 for any verdict, 2 for bad input.

    A contract file with errors does not stop the answer for other clients:
    its errors are printed on stderr with a line saying the answer may be
    incomplete for its client. When CLIENT may be that client (by the names
    the broken file shows, or its file name), the errors are printed and the
    exit status is 2.

    \b
    Examples:
      scopekb check "Menuiserie Bérard & Fils" --asset PRN-0107
      scopekb check MBF --item "imprimante laser" --acquired 2026-02-10
      scopekb check "Éditions Marchand" --kind installation --item logiciel --json
      scopekb check CDA --item Excel --lang en --date 2026-12-01
    """
    from scopekb.coverage.decide import Request, decide
    from scopekb.coverage.match import may_concern
    from scopekb.kb.load import load_valid_part

    given_kind, given_lang = kind, lang
    kind, lang = kind.strip().casefold(), lang.strip().casefold()  # `--kind Installation` means installation
    if kind not in REQUEST_KINDS:
        raise click.BadParameter(f"'{given_kind}' is not a request kind (expected one of "
                                 f"{', '.join(REQUEST_KINDS)})", param_hint="--kind")
    if lang not in LANGUAGES:
        raise click.BadParameter(f"'{given_lang}' is not a language (expected one of {', '.join(LANGUAGES)})",
                                 param_hint="--lang")
    if item is not None and asset is not None:
        raise click.BadParameter("give --item or --asset, not both (expected one of them)", param_hint="--asset")
    loaded = load_valid_part(root)
    kb = loaded.kb
    if any(may_concern(kb, client, left_out.names) for left_out in loaded.left_out):
        raise InputError(list(loaded.messages))  # the client asked about may be in a broken file
    request = Request(client=client, date=on or clock.today(), kind=kind, item=item, asset=asset,
                      acquired=acquired)
    decision = decide(kb, request, lang)
    if as_json:
        click.echo(json.dumps(decision.as_json(), ensure_ascii=False))
    else:
        click.echo(format_decision(kb, decision, lang))
    for line in [*loaded.messages, *(left_out.warning() for left_out in loaded.left_out)]:
        click.echo(line, err=True)


def format_decision(kb, decision, lang: str) -> str:
    """The verdict as a technician reads it in a terminal."""
    def say(key, **fields):
        return message(lang, key, **fields)

    sep = say("word.colon") + " "  # French typography puts a space before the colon
    headline = say(f"verdict.{decision.verdict}")
    if decision.team:
        team = kb.provider.teams[decision.team]
        headline += f" → {team.label}"
    client = kb.clients.get(decision.client)
    lines = [headline, f"{say('checker.client')}{sep}{client.name if client else decision.client} ({decision.client})"]
    if decision.contract:
        lines.append(f"{say('checker.contract')}{sep}{decision.contract}")
    if decision.category:
        lines.append(f"{say('checker.category')}{sep}{kb.provider.catalog[decision.category].label} "
                     f"({decision.category})")
    for code, text in decision.reasons:
        lines.append(f"{say('checker.reasons')}{sep}[{code}] {text}")
    if decision.question:
        lines.append(f"{say('checker.question')}{sep}{decision.question}")
    if decision.candidates:
        lines.append(f"{say('checker.candidates')}{sep.rstrip()}")
        lines += [f"  - {slug}  {name}" for slug, name in decision.candidates]
    lines.append(f"{say('checker.actions')}{sep.rstrip()}")
    lines += [f"  {n}. {action}" for n, action in enumerate(decision.actions, 1)]
    return "\n".join(lines)


@cli.command()
@ROOT_OPTION
def validate(root):
    """Check provider.yaml, every contract and every article; print each error as FILE:LINE: key: problem.

    \b
    Examples:
      scopekb validate
      scopekb validate --root ./kb
    """
    from scopekb.kb.load import load_knowledge_base

    from scopekb.kb.articles import with_articles

    kb = with_articles(load_knowledge_base(root, use_cache=False), root)
    click.echo(message(kb_language(root), "cli.validated", contracts=len(kb.contracts), clients=len(kb.clients),
                       categories=len(kb.provider.catalog), teams=len(kb.provider.teams), articles=len(kb.articles)))


@cli.command()
@click.argument("kind", type=click.Choice(["provider", "contract", "article"]), required=False)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write provider.schema.json, contract.schema.json and article.schema.json into this folder.")
def schema(kind, out):
    """Print the JSON Schema of the provider or contract format, or of an article's front matter (for editors).

    \b
    Examples:
      scopekb schema contract
      scopekb schema --out schema/
    """
    from scopekb.kb.schema import dump_schema, write_schemas

    if out is not None:
        with writing("command line: --out", out):
            written = write_schemas(out)
        for path in written:
            click.echo(message(kb_language(Path(".")), "cli.wrote", path=path))
        return
    click.echo(dump_schema(kind or "contract"), nl=False)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory):
    """Create a new knowledge-base folder: provider, one contract, one article, mkdocs.yml.

    \b
    Examples:
      scopekb init ./kb && scopekb validate --root ./kb
    """
    from scopekb.kb.scaffold import scaffold

    with writing("command line: DIRECTORY", directory):
        written = scaffold(directory)
    click.echo(message(kb_language(directory), "cli.created", directory=directory, files=len(written)))


@cli.group()
def new():
    """Create a new file of the knowledge base from a valid skeleton."""


@new.command("article")
@click.argument("title")
@click.option("--category", "categories", multiple=True, required=True, metavar="ID",
              help="A category id of the catalogue (repeat for several).")
@click.option("--scenario", metavar="ID", help="The resolution scenario it documents (the id on its page).")
@ROOT_OPTION
def new_article(title, categories, scenario, root):
    """Write a new resolution article under content/articles/ and print its path.

    The site's "to document" page gives this command for each scenario no
    article documents yet, filled in.

    \b
    Examples:
      scopekb new article "Imprimante hors ligne" --category printers
      scopekb new article "VPN refusé" --category network --category remote-access
      scopekb new article "Toner vide" --category printers --scenario printers-cartouche-toner-vide
    """
    from scopekb.kb.load import load_knowledge_base
    from scopekb.kb.scaffold import new_article as write_article
    from scopekb.mkdocs_plugin.engine import site_language

    kb = load_knowledge_base(root)
    with writing("command line: --root", root):
        path = write_article(Path(root), title, list(categories), kb.provider, site_language(Path(root)), scenario)
    click.echo(path)


def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return "value"
    return "/".join(param.opts) if isinstance(param, click.Option) else param.human_readable_name


def usage_line(exc: click.UsageError) -> str:
    """A click usage error in the form of every other error: `WHAT: problem (expected ...)`."""
    help_hint = f"what {exc.ctx.command_path if exc.ctx else 'scopekb'} --help lists"
    if isinstance(exc, click.NoSuchOption):
        known = ", ".join(sorted(exc.possibilities)) if exc.possibilities else help_hint
        return f"{exc.option_name}: unknown option (expected {known})"
    if isinstance(exc, click.BadOptionUsage):
        return f"{exc.option_name}: {exc.message.rstrip('.')} (expected a value after it)"
    if isinstance(exc, click.MissingParameter):
        return f"{_param_name(exc.param)}: missing ({'expected ' + help_hint})"
    if isinstance(exc, click.BadParameter):
        name = exc.param_hint if isinstance(exc.param_hint, str) else _param_name(exc.param)
        text = exc.message.rstrip(".")
        if "(expected" in text:
            return f"{name}: {text}"
        choices = getattr(exc.param.type, "choices", None) if exc.param else None
        return f"{name}: {text} (expected {'one of ' + ', '.join(choices) if choices else help_hint})"
    extra = re.match(r"Got unexpected extra arguments? \((.*)\)", exc.message)
    if extra:
        return f"{extra.group(1)}: unexpected argument (expected {help_hint})"
    command = re.match(r"No such command '(.*)'", exc.message)
    if command:
        return f"{command.group(1)}: unknown command (expected one of {', '.join(cli.commands)})"
    return f"{exc.message.rstrip('.')} ({'expected ' + help_hint})"


def _say_terminated() -> None:
    click.echo("terminated", err=True)
    sys.exit(128 + signal.SIGTERM)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI, turning every expected failure into one-line errors and exit 2."""
    try:
        cli.main(args=argv, prog_name="scopekb", standalone_mode=False)
    except InputError as exc:
        for line in exc.messages:
            click.echo(line, err=True)
        sys.exit(2)
    except click.UsageError as exc:
        click.echo(f"command line: {usage_line(exc)}", err=True)
        sys.exit(2)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except Terminated:  # SIGTERM, once a build has cleaned up after itself: the status of a process it ended
        _say_terminated()
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"command line: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:  # what the checks cannot see coming, such as output to a full disk: one line still
        if sigterm_received():
            _say_terminated()
        with contextlib.suppress(OSError):
            click.echo(f"{exc.filename or 'output'}: {exc.strerror or exc}", err=True)
        os._exit(1)
    except Exception:
        if sigterm_received():  # a library turned the Terminated that interrupted it into an error of its own
            _say_terminated()
        raise
    # Done. After a build, Python would free every page of the site object by object on its way out,
    # 0.15-0.2 s at 1,000 clients; the output is flushed here and every file is closed: leave at once.
    # Not when called with arguments (from a test or a program): that caller gets SystemExit, as on
    # every other outcome, instead of its own process ending with it.
    status = 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # the output went nowhere (a full disk, a reader gone): say so by the status
            status = 1
    if argv is not None:
        sys.exit(status)
    os._exit(status)


# --- the site: build, serve, render (scopekb.build) ------------------------------

@cli.command()
@ROOT_OPTION
@click.option("--client", "clients", multiple=True, metavar="SLUG",
              help="Build this client's site only (repeat for several), not the technician site.")
@click.option("--pdf", is_flag=True, help="Also print each client's summary to site/clients/SLUG/SLUG.pdf (Chromium).")
@click.option("--zip", "zipped", is_flag=True, help="Also write each client's site as site/clients/SLUG.zip.")
def build(root, clients, pdf, zipped):
    """Build the technician site into ROOT/site/internal/ and each client's site into ROOT/site/clients/SLUG/.

    Every contract is checked first: on bad data the errors are printed, the
    exit status is 2 and the previous sites stay as they were. A client's
    site holds that client's contracts and public articles alone; it is built
    again only when what it is made from changed.

    \b
    Examples:
      scopekb build
      scopekb build --client menuiserie-berard-fils --pdf --zip
      scopekb build --root ./kb && python -m http.server -d ./kb/site/internal
    """
    from scopekb.publish.build import Progress, build_site
    from scopekb.publish.client_sites import Options, build_client_sites

    lang = kb_language(root)

    class Said(Progress):  # build_site names its stages (BUILD_STAGES): shown in the knowledge base's language
        def update(self, stage: str, done: int = 0, total: int = 0) -> None:
            super().update(message(lang, BUILD_STAGES[stage]) if stage in BUILD_STAGES else stage, done, total)

    progress, options = Said(), Options(pdf=pdf, zip=zipped)
    kb = config = None
    if not clients:
        summary = build_site(root, progress)
        kb, config = summary.kb, summary.config
        click.echo(message(lang, "cli.built", clients=summary.clients, pages=summary.pages,
                           seconds=f"{summary.seconds:.1f}", site_dir=summary.site_dir))
    sites = build_client_sites(root, list(clients) or None, options, kb, config, progress.update)
    progress.close()
    click.echo(message(lang, "cli.clients-built", built=len(sites.built), unchanged=len(sites.unchanged),
                       seconds=f"{sites.seconds:.1f}", folder=sites.folder))


@cli.command()
@ROOT_OPTION
@click.option("--addr", "address", default="127.0.0.1:8000", show_default=True, metavar="HOST:PORT",
              help="Address to serve the site on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
def serve(root, address, open_browser):
    """Serve the technician site, rebuilt whenever a contract, article or template changes.

    \b
    Examples:
      scopekb serve
      scopekb serve --root ./kb --addr 127.0.0.1:8001
    """
    from scopekb.mkdocs_plugin.engine import serve_site

    if not is_address(address):
        raise click.BadParameter(f"'{address}' is not an address to serve on (expected HOST:PORT, such as "
                                 "127.0.0.1:8000)", param_hint="--addr")
    serve_site(root, address, open_browser)


def is_address(address: str) -> bool:
    """Whether MkDocs can serve on `address`: localhost or an IP address, a colon, a port."""
    host, _, port = address.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        return False
    try:
        return host == "localhost" or bool(ipaddress.ip_address(host))
    except ValueError:
        return False


@cli.command()
@ROOT_OPTION
@click.option("--audience", type=click.Choice(["internal"]), default="internal", show_default=True,
              help="Which site: internal is the technicians' site.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the pages to (replaced as a whole).")
@click.option("--lang", metavar="LANG", help="Language: fr or en (default: that of ROOT/mkdocs.yml, else fr).")
def render(root, audience, out, lang):
    """Write the generated pages (Markdown, HTML, assets) as plain files, for any site engine.

    Pages link to each client page as clients/SLUG.html: the engine should
    build clients/SLUG.md there (MkDocs does with use_directory_urls: false).

    \b
    Examples:
      scopekb render --audience internal --out /tmp/pages
      scopekb render --root ./kb --out ./kb/generated --lang en
    """
    from scopekb.publish.build import render_to_dir

    given_lang = lang
    if lang is not None:
        lang = lang.strip().casefold()  # `--lang EN` means en
    if lang is not None and lang not in LANGUAGES:
        raise click.BadParameter(f"'{given_lang}' is not a language (expected one of {', '.join(LANGUAGES)})",
                                 param_hint="--lang")
    with writing("command line: --out", out):
        count = render_to_dir(root, audience, out, lang)
    click.echo(message(lang or kb_language(root), "cli.rendered", files=count, out=out))
