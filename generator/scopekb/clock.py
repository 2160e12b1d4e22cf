"""What day it is for scopekb: the day the site is built "as of", and the day `scopekb check` decides on.

One rule, here only, for both, so that a page and the command never disagree:

- `SOURCE_DATE_EPOCH` set (https://reproducible-builds.org/specs/source-date-epoch/):
  the UTC date of that timestamp, the day MkDocs dates the sitemap by. Two
  builds of the same inputs are then the same, byte for byte.
- Otherwise: today in Europe/Paris, the helpdesk's civil day, whatever the time
  zone of the machine. A build server or a container running in UTC would
  otherwise show yesterday's state until 01:00 or 02:00 in Paris, and a
  technician's `scopekb check` at 00:30 could decide on another day than the
  site. A fixed zone rather than a setting of mkdocs.yml: `check` does not read
  mkdocs.yml (nor load MkDocs), and both must agree.

The scopekb plugin's `today` setting, when given, fixes the site's day instead.
Imports nothing of MkDocs: the command uses it at every `check`.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from scopekb.errors import InputError

TIME_ZONE = "Europe/Paris"


def today(environ: Mapping[str, str] = os.environ, now: dt.datetime | None = None) -> dt.date:
    """The day of this build or check: SOURCE_DATE_EPOCH's UTC date, else today in TIME_ZONE (`now`, an
    aware datetime, stands for the present in tests). A SOURCE_DATE_EPOCH that is not an integer is an
    input error; set but empty counts as not set."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise InputError([f"SOURCE_DATE_EPOCH: {epoch!r} is not a number of seconds since 1970-01-01 UTC "
                              "(expected an integer, or the variable unset)"]) from None
    from zoneinfo import ZoneInfo  # imported when needed: `check --date` and builds with a date never need it

    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(ZoneInfo(TIME_ZONE)).date()
