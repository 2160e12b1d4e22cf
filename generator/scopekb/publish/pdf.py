"""A client site's summary printed to PDF by Chromium (`scopekb build --pdf`).

Chromium rather than WeasyPrint: it is already needed for the browser tests, it renders the very CSS
the site uses (the print stylesheet of site_templates/assets/client-site.css: no navigation, a page
break before each section), and it adds no Python dependency. It runs headless on the page as a file,
`--print-to-pdf`, without header or footer (they would print the page's file path and the time).

Two things would make the PDF differ from one build to the next, and are taken out: Chromium writes
each link of the page as an absolute `file://` address (the build folder's path, random), so the page
is printed from a copy of it without its links' addresses; and it dates the PDF by the time of the
print, so `/CreationDate` and `/ModDate` are set to the site's day (same length: the PDF's offsets hold).
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from scopekb.errors import InputError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ENVIRONMENT = "SCOPEKB_CHROMIUM"  # the browser to print with, if not one of CANDIDATES on the PATH
TIMEOUT = 120
_HREF = re.compile(r'(<a\b[^>]*?)\s+href="[^"]*"')
_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}")


def find_chromium() -> str:
    """The Chromium to print with; one error line when there is none."""
    given = os.environ.get(ENVIRONMENT)
    found = given if given and shutil.which(given) else next(filter(None, map(shutil.which, CANDIDATES)), None)
    if found is None:
        raise InputError([f"command line: --pdf: no Chromium found (expected one of {', '.join(CANDIDATES)} on the "
                          f"PATH, or {ENVIRONMENT} naming it; on Debian: apt-get install chromium)"])
    return found


def print_pdf(page: Path, out: Path, day: dt.date) -> None:
    """Print the HTML file `page` (in a built site) to `out`, dated `day`."""
    copy = page.with_name(f".print-{os.getpid()}-{page.name}")
    copy.write_text(_HREF.sub(r"\1", page.read_text(encoding="utf-8")), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory(prefix="scopekb-chromium-") as profile:
            command = [find_chromium(), "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                       "--disable-background-networking", "--disable-component-update", "--disable-sync",
                       "--disable-extensions", "--no-pdf-header-footer", f"--user-data-dir={profile}",
                       f"--print-to-pdf={out}", copy.resolve().as_uri()]
            if os.geteuid() == 0:  # Chromium's sandbox refuses to run as root
                command.insert(1, "--no-sandbox")
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                                  stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise InputError([f"command line: --pdf: Chromium took more than {TIMEOUT} s to print {page.name} "
                          "(expected a PDF)"]) from None
    finally:
        copy.unlink(missing_ok=True)
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise InputError([f"command line: --pdf: Chromium could not print {page.name}: {last} (expected a PDF)"])
    stamp = f"{day:%Y%m%d}000000".encode()
    data = out.read_bytes()
    out.write_bytes(_DATE.sub(lambda found: b"/" + found.group(1) + b" (D:" + stamp, data))
