"""A run's answer into the deed list: proposals and unmatched needs, in one transaction.

Ids in the instance are "n<pk>", "p<pk>", "r<pk>" (resolvers/instance.py); they are turned back
into primary keys here. The transaction first re-checks that the run is still this worker's
(the fencing token is the attempt number), so a worker presumed dead never writes twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sandan.db.models.runs import RunStatus
from sandan.db.repositories import run_results, runs
from sandan.db.repositories.batch import Record
from sandan.resolvers.runs.resource_pins import with_pinned

# Shown to staff: what went wrong and what to do about it (no traceback, no personal data).
CHANGED_MEANWHILE = (
    "the lists changed while this run was solving (a need in it received a deed from elsewhere); "
    "nothing was written. Start the run again."
)


@dataclass(frozen=True)
class ProposedDeed:
    need_id: int
    title: str
    cell_id: int
    lead_id: int | None
    team: list[int]
    resources: list[tuple[int, int]]
    explanation: list[str]


def _pk(ident: str) -> int:
    return int(ident[1:])


def reason_code(reason: str) -> str:
    """ "SKILL_NOT_COVERED: nursing" -> "SKILL_NOT_COVERED"."""
    return reason.split(":", 1)[0].strip()


def statistics(
    sizes: dict[str, int], solution: dict[str, Any], seconds: dict[str, float], skipped: int
) -> dict[str, Any]:
    """The run's statistics; `sizes` counts the instance's needs, people and resources."""
    stats = solution.get("stats") or {}
    by_reason: Counter[str] = Counter()
    for row in solution.get("unmatched") or []:
        for reason in row.get("reasons") or []:
            by_reason[reason_code(reason)] += 1
    phases = {
        "export": seconds.get("export", 0.0),
        "candidates": float(stats.get("seconds_candidates", 0.0)),
        "search": float(stats.get("seconds_search", 0.0)),
        "answer": float(stats.get("seconds_answer", 0.0)),
    }
    return {
        "needs": sizes["needs"],
        "people": sizes["people"],
        "resources": sizes["resources"],
        "deeds_proposed": len(solution.get("deeds") or []),
        "unmatched": len(solution.get("unmatched") or []),
        "unmatched_by_reason": dict(sorted(by_reason.items())),
        "components": int(stats.get("components", 0)),
        "seconds_per_phase": phases,
        "solver_status": solution.get("status"),
        "priority": (solution.get("objective") or {}).get("priority", 0),
        "bound": (solution.get("bound") or {}).get("priority", 0),
        "constraints_skipped": skipped,
    }


def failure_message(solution: dict[str, Any]) -> str | None:
    """The staff-facing reason a solver answer cannot be written, or None when it can."""
    status = solution.get("status")
    if status in ("OPTIMAL", "FEASIBLE"):
        return None
    if status == "INFEASIBLE_PINS":
        parts = [
            f"person {c['person']} as {c.get('role', '?')} on need {c['need']}: "
            f"{c.get('reason', 'cannot hold with the others')}"
            for c in (solution.get("conflicts") or [])[:10]
        ]
        return "the pins cannot all hold; lift or change these pins and run again: " + "; ".join(
            parts
        )
    if status == "INVALID_INSTANCE":
        errors = [str(e.get("message", e)) for e in (solution.get("errors") or [])[:5]]
        return (
            "the lists exported for this run are not a valid optimiser instance ("
            + "; ".join(errors)
            + "); download instance.json and report it to the operator"
        )
    return f"the solver answered {status!r}; download instance.json and report it"


def proposed_deeds(
    solution: dict[str, Any], needs: dict[int, tuple[str, int]]
) -> list[ProposedDeed]:
    out: list[ProposedDeed] = []
    for d in solution.get("deeds") or []:
        need_id = _pk(d["need"])
        title, cell_id = needs[need_id]
        out.append(
            ProposedDeed(
                need_id=need_id,
                title=title,
                cell_id=cell_id,
                lead_id=None if d.get("lead") is None else _pk(d["lead"]),
                team=[_pk(p) for p in d.get("team") or []],
                resources=[
                    (_pk(r["resource"]), int(r["quantity"])) for r in d.get("resources") or []
                ],
                explanation=[str(x) for x in d.get("explanation") or []],
            )
        )
    return out


async def write_results(
    sessionmaker: async_sessionmaker[AsyncSession],
    run: Record,
    solution: dict[str, Any],
    solution_text: str,
    final: RunStatus,
    stats: dict[str, Any],
    progress: dict[str, Any] | None,
    *,
    reservations: Sequence[dict[str, Any]] = (),
) -> bool:
    """Write the run's proposals and unmatched needs and set its final status, all or nothing.
    `reservations` are the instance's `resource_pins`: their units join their needs' deeds.

    Returns False when the run was no longer this worker's (nothing written)."""
    async with sessionmaker() as session:
        try:
            async with session.begin():
                if not await runs.finish(
                    session, run.id, run.attempts, final, statistics=stats, progress=progress
                ):
                    raise _Lost
                replaced = await run_results.replaceable_deeds(
                    session, run.cell_id, run.period_from, run.period_to
                )
                await run_results.delete_deeds(session, replaced)
                deeds = solution.get("deeds") or []
                needs = await run_results.need_titles(session, [_pk(d["need"]) for d in deeds])
                proposed = with_pinned(proposed_deeds(solution, needs), reservations)
                await run_results.insert_proposals(session, run.id, proposed)
                await run_results.insert_unmatched(
                    session,
                    run.id,
                    [
                        (_pk(u["need"]), list(u.get("reasons") or []))
                        for u in solution.get("unmatched") or []
                    ],
                )
                await runs.save_file(session, run.id, solution=solution_text)
        except _Lost:
            return False
        except IntegrityError:
            pass
        else:
            return True
    async with sessionmaker() as session, session.begin():
        return await runs.finish(
            session, run.id, run.attempts, RunStatus.FAILED, failure=CHANGED_MEANWHILE
        )


class _Lost(Exception):
    """The run is no longer owned by this worker."""
