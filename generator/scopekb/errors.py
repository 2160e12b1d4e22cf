"""The one exception that crosses module boundaries: bad input from a user; `writing` turns a failed write into one."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Callable


class InputError(Exception):
    """Bad input. Each message is one line: `FILE:LINE: key: what is wrong (what was expected)`.

    Raised only after every error of a run has been collected, so that a
    maintainer sees them all at once. The CLI prints them and exits with 2.
    """

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = list(messages)


@contextlib.contextmanager
def writing(where: str | Callable[[], str], place: Path):
    """An OSError while a command writes its output into `place` becomes one input error; `where` names
    what set the place (`command line: --out`, `mkdocs.yml:3: site_dir`), or finds it when it is needed."""
    try:
        yield
    except OSError as error:
        culprit = os.path.abspath(error.filename) if isinstance(error.filename, str) else None
        inside = culprit is not None and os.path.abspath(place).startswith(culprit + os.sep)
        problem = f"{culprit}: {error.strerror}" if inside else (error.strerror or str(error))
        if callable(where):
            where = where()
        raise InputError([f"{where}: cannot write {place}: {problem} "
                          "(expected a folder that can be created and written)"]) from None
