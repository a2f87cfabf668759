"""Optimisation runs: the queue of solves, their results, and the staff's pins and forbids.

The runs table is the queue (see resolvers/runs/queue.py): a QUEUED or INTERRUPTED row is work
to take; a RUNNING row belongs to the worker named in `worker` for as long as its heartbeat is
fresh. Instance and solution files live in a table of their own so that listing runs never reads
megabytes of JSON.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base, PathString, Timestamped, enum_column
from sandan.db.enums import DeedRole, Described


class RunStatus(Described):
    """Where a run is: QUEUED (waiting), RUNNING, SUCCEEDED (proposals written), FAILED (see
    failure), CANCELLED, INTERRUPTED (its worker stopped; queued again once)."""

    QUEUED = "QUEUED", "Waiting for a worker; cancelling it stops it at once."
    RUNNING = "RUNNING", "A worker is solving it; progress updates a few times a second."
    SUCCEEDED = "SUCCEEDED", "Finished: its proposals are written as PROPOSED deeds to review."
    FAILED = "FAILED", "Finished without proposals; `failure` says why and what to change."
    CANCELLED = "CANCELLED", "Cancelled by staff (proposals only if cancelled with keepBest)."
    # The worker died; queued again once (a second death fails the run).
    INTERRUPTED = (
        "INTERRUPTED",
        "Its worker stopped mid-solve; the run is queued again once (a second stop fails it).",
    )


TAKEABLE = (RunStatus.QUEUED, RunStatus.INTERRUPTED)
FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class CancelRequest(enum.StrEnum):
    DISCARD = "DISCARD"  # stop and keep nothing
    KEEP_BEST = "KEEP_BEST"  # stop and write the best answer found so far


class ConstraintKind(Described):
    """PIN: the person must serve the need; FORBID: the person must not."""

    PIN = "PIN", "Later runs must give the person the need (in the pinned role)."
    FORBID = "FORBID", "Later runs must not give the person the need."


class OptimisationRun(Timestamped, Base):
    __tablename__ = "optimisation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"))
    # The cell's path, copied: overlap checks in the claim compare subtrees without a join.
    cell_path: Mapped[str] = mapped_column(PathString)
    period_from: Mapped[date]
    period_to: Mapped[date]
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus, "run_status"), default=RunStatus.QUEUED
    )
    time_limit_seconds: Mapped[int]
    seed: Mapped[int] = mapped_column(default=0)
    # A label of the starter's scope ("staff of NH-JJ"), and the account that started it (null
    # for configured bootstrap tokens, which belong to no account).
    started_by: Mapped[str] = mapped_column(String(200))
    started_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    # Times the run was taken by a worker; the fencing token of its writes.
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(120))
    cancel_request: Mapped[CancelRequest | None] = mapped_column(
        enum_column(CancelRequest, "cancel_request")
    )
    # none_as_null: "no progress yet" is SQL NULL, not the JSON value null.
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    statistics: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    failure: Mapped[str | None] = mapped_column(String(2000))

    __table_args__ = (
        Index("ix_optimisation_runs_cell_id_id", "cell_id", "id"),
        Index("ix_optimisation_runs_status_id", "status", "id"),
    )


class OptimisationRunFile(Base):
    """The run's instance and solution in the contract's JSON (downloads and replays)."""

    __tablename__ = "optimisation_run_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("optimisation_runs.id", ondelete="CASCADE"), unique=True
    )
    instance: Mapped[str | None] = mapped_column(Text)
    solution: Mapped[str | None] = mapped_column(Text)


class RunProposal(Base):
    """A deed written by a run: the link to the run, the solver's explanation, the review."""

    __tablename__ = "run_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), unique=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("optimisation_runs.id", ondelete="CASCADE"), index=True
    )
    explanation: Mapped[list[str]] = mapped_column(JSON)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[datetime | None]
    rejected_reason: Mapped[str | None] = mapped_column(String(500))


class RunUnmatched(Base):
    """A need a run could not fulfil, with the solver's reason codes."""

    __tablename__ = "run_unmatched"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("optimisation_runs.id", ondelete="CASCADE"))
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("run_id", "need_id", name="uq_run_unmatched_run_need"),)


class RunConstraint(Base):
    """A staff pin (this person must serve this need) or forbid (must not), with who and when;
    or a resource pin (`quantity` units of this resource go to this need).

    Applied to every later run whose instance holds the need and the person (or resource) and
    whose period meets the constraint's period (no period: every run) until lifted. Rejecting a
    proposal creates a FORBID of its lead/need pair for the run's period. A resource pin is
    reserved when the instance is built (resolvers/runs/resource_pins.py): the units come off
    the resource's capacity and the need's request, and join the need's deed if it gets one."""

    __tablename__ = "run_constraints"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ConstraintKind] = mapped_column(enum_column(ConstraintKind, "constraint_kind"))
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), index=True)  # the need's cell
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    # Exactly one of a person (a pin or forbid) and a resource (a resource pin, with quantity).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"), index=True)
    quantity: Mapped[int | None]
    role: Mapped[DeedRole | None] = mapped_column(enum_column(DeedRole, "deed_role"))
    period_from: Mapped[date | None]
    period_to: Mapped[date | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    lifted_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (resource_id IS NULL)", name="person_or_resource"),
        CheckConstraint(
            "(resource_id IS NULL AND quantity IS NULL) OR (kind = 'PIN' AND quantity >= 1)",
            name="resource_pin_quantity",
        ),
    )
