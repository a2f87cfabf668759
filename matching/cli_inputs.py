"""What ``sandan solve`` and ``sandan check`` read before any solving: JSON files, the numbers
on the command line, and the moment the process started (the time limit's clock)."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from typing import Any

# Start-up (interpreter, imports, reading) takes 1-4 s on a busy host; see `process_started`.
HOSTED_AFTER = 10.0


class Unreadable(Exception):
    """A file that cannot be read or is not JSON; the message is for the user."""


def load_json(path: str) -> Any:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise Unreadable(f"cannot read {path}: {reason}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise Unreadable(f"{path} is not valid JSON: nested too deeply") from None


def positive_seconds(text: str) -> float:
    """``--time-limit``: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def positive_count(text: str) -> int:
    """``--workers``: a positive whole number."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def process_started() -> float:
    """The `time.monotonic()` at which this process started (Linux), else now.

    The time limit covers the interpreter's start-up and imports too, as a user's stopwatch does.
    A process older than `HOSTED_AFTER` seconds is a host calling `main` (a test run, a shell):
    its age is not this solve's start-up, so the clock starts now.
    """
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        # Field 22 of proc(5), `starttime`: clock ticks after boot (fields[0] is field 3).
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic()
    return time.monotonic() - (age if 0.0 <= age <= HOSTED_AFTER else 0.0)
