"""The solving child runs in a scheduling group of its own at low priority: in its server's
group, the server's requests waited for a core whenever the solver changed phase."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from sandan.resolvers.runs.solve_process import NICENESS, Job, SolveProcess


def _job(tmp_path: Path) -> Job:
    # A database that does not exist: the child reports how it is scheduled, then fails the
    # export (reported as such), which is all this test needs of it.
    return Job(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/sandan.sqlite3",
        run_id=1,
        cell_id=1,
        cell_code="NH",
        cell_path="1",
        period_from=date(2026, 5, 1),
        period_to=date(2026, 5, 31),
        time_limit=1.0,
        seed=1,
        threads=1,
    )


def test_the_solving_child_leads_its_own_session_at_low_priority(tmp_path: Path) -> None:
    proc = SolveProcess(_job(tmp_path))
    messages: list[tuple[str, Any]] = []
    try:
        for _ in range(100):  # bounded by waits for messages (1 s each), not by a clock
            messages += proc.receive(1.0)
            if any(kind == "export_failed" for kind, _ in messages) or not proc.alive:
                messages += proc.receive(0.0)
                break
    finally:
        proc.kill()
    kinds = [kind for kind, _ in messages]
    assert kinds[:1] == ["started"], kinds
    assert kinds[-1] == "export_failed", kinds
    started = messages[0][1]
    # Its own session: not the server's (this test process's), so not the server's autogroup.
    assert started["session"] == started["pid"]
    assert started["session"] != os.getsid(0)
    if Path("/proc/self/autogroup").exists():
        assert started["autogroup"] is not None
        assert started["autogroup"].endswith(f"nice {NICENESS}")
        assert started["autogroup"] != Path("/proc/self/autogroup").read_text().strip()
