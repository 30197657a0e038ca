"""Argument types and the day, shared by the command line's parts (`cli.py`,
`commands/fetchcli.py`)."""

from __future__ import annotations

import argparse
import datetime as dt
import os


def today() -> dt.date:
    """Today's date; `SITEGEN_TODAY=YYYY-MM-DD` pins it (tests, reproducing an import)."""
    pinned = os.environ.get("SITEGEN_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def utc_today() -> dt.date:
    """Today in UTC (the days of the APIs); `SITEGEN_TODAY` pins it."""
    pinned = os.environ.get("SITEGEN_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.datetime.now(dt.UTC).date()


def iso_day(text: str) -> dt.date:
    """An argument `YYYY-MM-DD`; a usage error otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (write YYYY-MM-DD)") from None


def positive(text: str) -> int:
    """An argument from 1 to 30000 (arXiv's most results for one query)."""
    if not text.isdigit() or not 1 <= int(text) <= 30000:
        raise argparse.ArgumentTypeError(f"not a number from 1 to 30000: {text!r}")
    return int(text)
