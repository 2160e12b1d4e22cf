"""The one exception that crosses module boundaries: bad input from a user."""
from __future__ import annotations


class InputError(Exception):
    """Bad input. Each message is one line: `FILE:LINE: key: what is wrong (what was expected)`.

    Raised only after every error of a run has been collected, so that a
    maintainer sees them all at once. The CLI prints them and exits with 2.
    """

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = list(messages)
