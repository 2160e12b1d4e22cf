"""Publishing by swapping a link (publish/swap.py), at the moments a random kill rarely lands on.

tests/test_publish_kill.py kills whole builds at random moments; the steps of
the swap itself last a few milliseconds, so here a SIGTERM is sent to this
very process at each of them, and the published folder is checked.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scopekb.publish import swap
from scopekb.publish.build import build_site, render_to_dir
from scopekb.publish.swap import Terminated, publish, remove_leftovers, staging_folder
from kb_builder import example_root as make_root


def tree(folder: Path) -> dict[str, bytes]:
    folder = folder.resolve()
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def sigterm_during(monkeypatch, module, name: str, when=lambda *args: True) -> list:
    """Have this process get a SIGTERM, once, just before `module.name` runs with arguments that `when`
    accepts; returns the list that gets those arguments."""
    real = getattr(module, name)
    sent = []

    def stand_in(*args, **kwargs):
        if not sent and when(*args):
            sent.append(args)
            os.kill(os.getpid(), signal.SIGTERM)  # the handler of stopping_on_sigterm raises at once
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, stand_in)
    return sent


def named(name: str):
    """`when` for os.symlink and os.replace: the step that makes `name` (the published link)."""
    return lambda source, target, *rest: Path(target).name == name


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    root = make_root(tmp_path_factory.mktemp("swap") / "kb")
    build_site(root)
    return root


@pytest.fixture
def root(built_once, tmp_path) -> Path:
    """A knowledge base whose site is built (a copy of one built once), with its published site."""
    copy = tmp_path / "kb"
    shutil.copytree(built_once, copy, symlinks=True)
    return copy


def test_sigterm_while_the_previous_site_is_removed_keeps_the_new_one(root, built_once, monkeypatch):
    site = root / "site" / "internal"
    previous = site.resolve()
    sent = sigterm_during(monkeypatch, shutil, "rmtree", lambda path, *rest: Path(path).resolve() == previous)
    with pytest.raises(Terminated):
        build_site(root)
    assert sent, "the previous site was never removed"
    # The new site was published when the signal came: it stays, whole.
    assert site.is_symlink() and site.resolve() != previous and (site / "index.html").is_file()
    assert tree(site).keys() == tree(built_once / "site" / "internal").keys()
    assert len(list((site / "clients").iterdir())) == 8


@pytest.mark.parametrize("step", ["symlink", "replace"])
def test_sigterm_before_the_swap_keeps_the_previous_site_and_leaves_no_link(root, monkeypatch, step):
    site = root / "site" / "internal"
    before, target = tree(site), os.readlink(site)
    # os.symlink makes the new link beside the published one, os.replace puts it in its place
    sent = sigterm_during(monkeypatch, os, step, (lambda *args: True) if step == "symlink" else named("internal"))
    with pytest.raises(Terminated):
        build_site(root)
    assert sent
    assert os.readlink(site) == target and tree(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == sorted(["internal", target])


def test_a_sigterm_that_a_library_turns_into_its_own_error_still_ends_the_build_as_terminated(root, monkeypatch,
                                                                                             capsys):
    """A Cython module's init (importing scikit-learn to mine tickets) catches the Terminated that the signal
    raised in it and raises a ValueError of its own: the build still cleans up, and says it was ended."""
    from scopekb import cli
    from scopekb.mkdocs_plugin import engine

    site = root / "site" / "internal"
    before, target = tree(site), os.readlink(site)

    def interrupted_library(*args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)
        except BaseException as error:
            raise ValueError("'T{q:left_child:}' is not a valid PEP 3118 buffer format string") from error
    monkeypatch.setattr(engine, "run_build", interrupted_library)
    with pytest.raises(SystemExit) as ended:
        cli.main(["build", "--root", str(root)])
    assert ended.value.code == 128 + signal.SIGTERM
    assert capsys.readouterr().err.splitlines()[-1] == "terminated"
    assert os.readlink(site) == target and tree(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == sorted(["internal", target])  # no half-built folder


def test_a_sigterm_that_python_swallows_still_stops_the_build_before_it_is_published(root, monkeypatch, capsys):
    """Python runs the handler between any two bytecodes, also in a `__del__` or a weakref callback (as
    importlib's module locks have), where it prints "Exception ignored", a traceback, and drops the
    Terminated: the build went on, published, and exited 0. It must still stop, quietly."""
    from scopekb import cli
    from scopekb.mkdocs_plugin import engine

    site = root / "site" / "internal"
    before, target = tree(site), os.readlink(site)
    real = engine.run_build

    class SendsSigtermWhenFreed:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)

    def run_build(*args, **kwargs):
        SendsSigtermWhenFreed()  # freed at once: the handler raises inside __del__
        return real(*args, **kwargs)
    monkeypatch.setattr(engine, "run_build", run_build)
    hook = sys.unraisablehook
    with pytest.raises(SystemExit) as ended:
        cli.main(["build", "--root", str(root)])
    assert ended.value.code == 128 + signal.SIGTERM
    said = capsys.readouterr().err
    assert said.splitlines()[-1] == "terminated"
    assert "Traceback" not in said and "Exception ignored" not in said, said
    assert os.readlink(site) == target and tree(site) == before
    assert sorted(p.name for p in site.parent.iterdir()) == sorted(["internal", target])
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL and sys.unraisablehook is hook


def test_leftovers_of_dead_builds_go_and_those_of_live_ones_stay(tmp_path):
    final = tmp_path / "internal"
    published = staging_folder(final)
    (published / "index.html").write_text("site")
    publish(published, final)
    gone, live = dead_pid(), os.getppid()
    (tmp_path / f".internal-{gone}-abc").mkdir()
    (tmp_path / f".internal-{gone}-abc" / "page.html").write_text("half")
    os.symlink(f".internal-{gone}-abc", tmp_path / f".internal-{gone}-link")
    (tmp_path / f".internal-{live}-def").mkdir()
    (tmp_path / "internal-notes").mkdir()  # not a build's
    removed = remove_leftovers(final)
    assert sorted(p.name for p in removed) == [f".internal-{gone}-abc", f".internal-{gone}-link"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [published.name, "internal", f".internal-{live}-def", "internal-notes"])
    assert (final / "index.html").read_text() == "site"


def test_publishing_over_a_real_folder_never_leaves_the_site_missing(tmp_path, monkeypatch):
    final = tmp_path / "internal"
    final.mkdir()
    (final / "index.html").write_text("old")  # made by `mkdocs build` alone, or an earlier version
    fresh = staging_folder(final)
    (fresh / "index.html").write_text("new")
    shown = []  # what the site shows after each step of publishing

    def watched(module, name):
        real = getattr(module, name)

        def stand_in(*args, **kwargs):
            result = real(*args, **kwargs)
            shown.append((name, (final / "index.html").read_text() if (final / "index.html").is_file() else None))
            return result
        monkeypatch.setattr(module, name, stand_in)
    for module, name in [(os, "rename"), (os, "replace"), (os, "symlink"), (os, "unlink"), (shutil, "rmtree"),
                         (swap, "_exchange")]:
        if hasattr(module, name):
            watched(module, name)
    publish(fresh, final)
    assert shown and all(text in ("old", "new") for _, text in shown), shown
    assert final.is_symlink() and (final / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["internal", fresh.name])


def test_render_stopped_by_sigterm_keeps_the_previous_pages(root, monkeypatch, tmp_path):
    out = tmp_path / "pages"
    render_to_dir(root, "internal", out)
    before = tree(out)
    sent = sigterm_during(monkeypatch, os, "replace", named("pages"))
    with pytest.raises(Terminated):
        render_to_dir(root, "internal", out, "en")
    assert sent and tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".pages")) == [os.readlink(out)]


def test_render_again_replaces_the_link_not_the_folder_it_shows(root, tmp_path):
    out = tmp_path / "pages"
    for language in ("fr", "en", "fr"):
        render_to_dir(root, "internal", out, language)
    # One link to one folder: each render used to make the published folder a link, one more each time.
    assert out.is_symlink() and not (out.parent / os.readlink(out)).is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir() if "pages" in p.name) == sorted(["pages", os.readlink(out)])
    assert (out / "index.md").is_file()


def test_without_an_atomic_exchange_a_real_folder_is_moved_aside_then_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(swap, "_exchange", lambda first, second: False)  # another system
    final = tmp_path / "internal"
    final.mkdir()
    (final / "index.html").write_text("old")
    fresh = staging_folder(final)
    (fresh / "index.html").write_text("new")
    publish(fresh, final)
    assert final.is_symlink() and (final / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["internal", fresh.name])
