"""mkdocs_plugin/writer.py: the pages' files, created by a thread while MkDocs builds the next pages."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from mkdocs.structure.files import File

from scopekb.mkdocs_plugin.writer import PageWriter


def page_file(site: Path, path: str) -> File:
    """The File of a page MkDocs would write to site/path."""
    return File(path.replace(".html", ".md"), src_dir=str(site.parent / "docs"), dest_dir=str(site),
                use_directory_urls=False, dest_uri=path)


def test_the_thread_writes_each_page_as_mkdocs_would_and_mkdocs_writes_nothing(tmp_path):
    site = tmp_path / "site"
    writer = PageWriter(site)
    pages = {f"clients/c{n}.html": f"<p>page {n} é \ud800</p>" for n in range(300)}  # more than wait at once
    files = {path: page_file(site, path) for path in pages}
    for path, output in pages.items():
        writer.take(files[path], output)
        assert files[path].abs_dest_path == os.devnull  # where MkDocs then writes it
    writer.done()
    for path, output in pages.items():
        assert (site / path).read_bytes() == output.encode("utf-8", errors="xmlcharrefreplace")
        assert files[path].abs_dest_path == str(site / path)
    assert not writer.thread.is_alive()


def test_a_page_that_cannot_be_written_is_raised_at_the_end_and_no_more_are_taken(tmp_path):
    site = tmp_path / "site"
    (site / "clients").mkdir(parents=True)
    (site / "arbres").write_text("a file where a folder goes")
    writer = PageWriter(site)
    broken, after = page_file(site, "arbres/a.html"), page_file(site, "clients/b.html")
    writer.take(broken, "<p>a</p>")
    for _ in range(100):
        if writer.failure is not None:
            break
        threading.Event().wait(0.05)
    writer.take(after, "<p>b</p>")
    assert after.abs_dest_path == str(site / "clients/b.html")  # left to MkDocs, which fails alike
    with pytest.raises(OSError) as raised:
        writer.done()
    assert raised.value.filename == str(site / "arbres")
    assert broken.abs_dest_path == str(site / "arbres/a.html")


def test_a_page_outside_the_site_is_left_to_mkdocs(tmp_path):
    writer = PageWriter(tmp_path / "site")
    elsewhere = page_file(tmp_path / "other", "x.html")
    writer.take(elsewhere, "<p>x</p>")
    writer.done()
    assert elsewhere.abs_dest_path == str(tmp_path / "other" / "x.html")
    assert not (tmp_path / "other").exists()


def test_stop_writes_nothing_more_and_ends_the_thread(tmp_path):
    site = tmp_path / "site"
    writer = PageWriter(site)
    writer.stopped = True  # as stop() does first; the pages taken after must not land in a removed site
    files = [page_file(site, f"clients/c{n}.html") for n in range(50)]
    for file in files:
        writer.take(file, "<p>x</p>")
    writer.stop()
    assert not writer.thread.is_alive()
    assert not site.exists()
    assert [file.abs_dest_path for file in files] == [str(site / f"clients/c{n}.html") for n in range(50)]


def test_a_build_whose_page_cannot_be_written_is_one_error_line(tmp_path):
    """A full disk for the thread's writes: the build's one error line, exit status 2, nothing published and
    nothing left behind."""
    from kb_builder import example_root

    root = example_root(tmp_path / "kb")
    script = (
        "import errno, sys\n"
        "from scopekb.mkdocs_plugin import writer\n"
        "def full(path, mode):\n"
        "    if '/arbres/' in path:\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device', path)\n"
        "    return open(path, mode)\n"
        "writer.open = full\n"
        "from scopekb.cli import main\n"
        "sys.argv = ['scopekb', 'build', '--root', sys.argv[1]]\n"
        "main()\n")
    done = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"mkdocs\.yml:1: build: scopekb: cannot write \S+/arbres/[^/]+\.html: No space left on device "
                        r"\(expected a site_dir where files can be written\)", line), line
    assert [line for line in done.stderr.splitlines() if line.startswith("mkdocs.yml")] == [line]  # one line
    assert not (root / "site").exists() or not any((root / "site").iterdir())  # nothing published, nothing left
