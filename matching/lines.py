"""The command line's one-line texts: a solution's summary, a progress report, an error entry."""

from __future__ import annotations

import json
from typing import Any

from .progress import Progress


def fmt_num(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value))
    return "?"


def summary_line(solution: dict[str, Any], seconds: float) -> str:
    """One line: status, priority, bound, % of bound, distance, deeds/unmatched, seconds."""
    status = solution.get("status", "?")
    objective = solution.get("objective") or {}
    bound = solution.get("bound") or {}
    priority = objective.get("priority") if isinstance(objective, dict) else None
    distance = objective.get("distance") if isinstance(objective, dict) else None
    bound_p = bound.get("priority") if isinstance(bound, dict) else None
    deeds = solution.get("deeds") or []
    unmatched = solution.get("unmatched") or []
    stats = solution.get("stats") or {}
    secs = stats.get("seconds", seconds) if isinstance(stats, dict) else seconds
    if (
        isinstance(priority, (int, float))
        and isinstance(bound_p, (int, float))
        and not isinstance(bound_p, bool)
        and bound_p > 0
    ):
        pct = f"{100.0 * priority / bound_p:.1f}%"
    else:
        pct = "-"
    secs_text = f"{secs:.2f}" if isinstance(secs, (int, float)) else "?"
    return (
        f"{status}: priority {fmt_num(priority)}, bound {fmt_num(bound_p)} ({pct} of bound), "
        f"distance {fmt_num(distance)}, deeds {len(deeds)}, unmatched {len(unmatched)}, "
        f"{secs_text} s"
    )


def describe(entry: Any) -> str:
    """An error or conflict entry as one line."""
    if isinstance(entry, dict):
        path = entry.get("path")
        name = entry.get("entry")
        message = entry.get("message")
        if message is not None:
            where = " ".join(str(x) for x in (path, f"({name})" if name else None) if x)
            return f"{where}: {message}" if where else str(message)
        return json.dumps(entry, ensure_ascii=False, sort_keys=True)
    return str(entry)


def format_progress(event: Progress) -> str:
    """A progress report from the solver as one line."""
    pct = f"{100.0 * event.best / event.bound:.1f}%" if event.bound > 0 else "-"
    return (
        f"progress: {event.phase}, {100.0 * event.fraction:.0f}% done, best {event.best}, "
        f"bound {event.bound} ({pct} of bound), {event.seconds:.1f} s"
    )
