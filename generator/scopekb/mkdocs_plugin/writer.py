"""The pages' files, created by a thread of their own while MkDocs builds the next pages.

Creating a file is the system's work, done without Python's lock, and it is
slow whenever the file system is busy: 2,000 new 30 KB files took from 0.02
to 0.56 s here, from one second to the next, the most just after a site was
removed or written. MkDocs creates each page's file in its build loop and
waits for the system each time: it took 0.59-0.67 s of a 2.3-2.5 s first
build of 1,000 clients. Here a thread creates them while the loop goes on,
and MkDocs "writes" each page to os.devnull (the file's abs_dest_path, set
back at the end), as it does for the pages linked from the published site
(unchanged.py).
"""
from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

from mkdocs.structure.files import File

# Pages waiting for the thread at most: their HTML is held in memory meanwhile (30 KB each, as a rule).
WAITING = 128


class PageWriter:
    def __init__(self, site_dir: Path):
        self.site_dir = os.path.join(os.path.normpath(os.path.abspath(site_dir)), "")  # as MkDocs has it
        self.waiting: queue.Queue = queue.Queue(maxsize=WAITING)
        self.redirected: list[tuple[File, str]] = []  # (file, its real abs_dest_path), set back by `done`
        self.failure: OSError | None = None
        self.stopped = False
        self.folders: set[str] = set()
        self.thread = threading.Thread(target=self._write_all, name="scopekb-page-writer", daemon=True)
        self.thread.start()

    def take(self, file: File, output: str) -> None:
        """Have the thread write `output` (the page MkDocs is about to write) to the file's place."""
        path = file.abs_dest_path
        if self.failure is not None or not path.startswith(self.site_dir):
            return  # MkDocs writes it (and fails as the thread did, if it did)
        self.waiting.put((path, output))
        self.redirected.append((file, path))
        file.abs_dest_path = os.devnull

    def _write_all(self) -> None:
        while (page := self.waiting.get()) is not None:
            if self.stopped or self.failure is not None:
                continue
            path, output = page
            try:
                folder = os.path.dirname(path)
                if folder not in self.folders:
                    os.makedirs(folder, exist_ok=True)
                    self.folders.add(folder)
                with open(path, "wb") as out:
                    out.write(output.encode("utf-8", errors="xmlcharrefreplace"))  # as MkDocs writes it
            except OSError as error:
                self.failure = error

    def done(self) -> None:
        """Wait until every page taken is written; set their paths back; raise the first OSError."""
        self._end()
        if self.failure is not None:
            raise self.failure

    def stop(self) -> None:
        """The build failed or was stopped: write no more, and end the thread before the build's folder
        is removed (a file written after would be left behind)."""
        self.stopped = True
        self._end()

    def _end(self) -> None:
        if self.thread.is_alive():
            self.waiting.put(None)
            self.thread.join()
        for file, path in self.redirected:
            file.abs_dest_path = path
        self.redirected = []
