"""Optimisation runs, their progress and statistics, proposals, unmatched needs, pins/forbids."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from sandan.db.enums import DeedRole, Role
from sandan.db.models.runs import ConstraintKind as DbConstraintKind
from sandan.db.models.runs import RunStatus
from sandan.db.repositories.batch import Record
from sandan.schema.connections import After, Connection, First
from sandan.schema.context import Info
from sandan.schema.enums import described_enum
from sandan.schema.ids import to_global_id
from sandan.schema.types.fields import RowType, column, computed, key, or_none, related
from sandan.schema.types.node import Node

if TYPE_CHECKING:
    from sandan.schema.types.deeds import Deed
    from sandan.schema.types.grid import Cell
    from sandan.schema.types.lists import Need, Resource
    from sandan.schema.types.members import Person

OptimisationRunStatus = described_enum(RunStatus, name="OptimisationRunStatus")
ConstraintKind = described_enum(DbConstraintKind, name="RunConstraintKind")


@strawberry.type(description="How far a run has come; updated a few times a second.")
class RunProgress:
    phase: str = strawberry.field(
        description="Solver phase: candidates, exact, lp, lns, greedy, distance or done."
    )
    fraction: float = strawberry.field(description="Share of the time limit used, 0 to 1.")
    best_priority_sum: int = strawberry.field(
        description="Priority sum of the best answer found so far."
    )
    proved_bound: int = strawberry.field(
        description="No answer can have a higher priority sum than this (proved)."
    )
    gap: float | None = strawberry.field(
        description="(bound - best) / bound: 0 means proved optimal; null before a bound exists."
    )
    seconds: float = strawberry.field(description="Seconds since the solve started.")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunProgress:
        best, bound = int(data.get("best", 0)), int(data.get("bound", 0))
        return cls(
            phase=str(data.get("phase", "")),
            fraction=float(data.get("fraction", 0.0)),
            best_priority_sum=best,
            proved_bound=bound,
            gap=None if bound <= 0 else max(0.0, (bound - best) / bound),
            seconds=float(data.get("seconds", 0.0)),
        )


@strawberry.type(description="How many unmatched needs gave one reason code.")
class ReasonCount:
    reason: str = strawberry.field(description="A reason code, e.g. NO_ELIGIBLE_LEAD.")
    count: int = strawberry.field(description="How many unmatched needs gave this reason.")


@strawberry.type(description="Seconds one phase of the run took.")
class PhaseSeconds:
    phase: str = strawberry.field(description="export, candidates, search or answer.")
    seconds: float = strawberry.field(description="Wall-clock seconds the phase took.")


@strawberry.type(description="What a finished run looked at and produced.")
class RunStatistics:
    needs: int = strawberry.field(description="Open needs in the run's instance.")
    people: int = strawberry.field(description="People who could serve them.")
    resources: int = strawberry.field(description="Resources that could serve them.")
    deeds_proposed: int = strawberry.field(description="Deeds the run wrote as PROPOSED.")
    unmatched: int = strawberry.field(description="Open needs the run could not fulfil.")
    unmatched_by_reason: list[ReasonCount] = strawberry.field(
        description="The unmatched needs counted per reason code (a need may give several)."
    )
    components: int = strawberry.field(
        description="Independent parts the solver split the instance into."
    )
    seconds_per_phase: list[PhaseSeconds] = strawberry.field(
        description="Where the run's time went, phase by phase."
    )
    priority_sum: int = strawberry.field(description="Priority sum of the proposals.")
    proved_bound: int = strawberry.field(
        description="No answer can have a higher priority sum (equal to prioritySum: optimal)."
    )
    constraints_skipped: int = strawberry.field(
        description="Pins and forbids left out: their need or person was not in the instance "
        "(the need has a deed already, or the person cannot reach it in this period), or a "
        "resource pin no longer fits (its units taken meanwhile, the resource closed, out of "
        "reach, or no longer requested)."
    )
    stopped_past_time_limit: float | None = strawberry.field(
        description="Seconds past its time limit at which the solver was asked to stop because it "
        "had not answered (its answer is then the best it had found so far); null when it "
        "answered within its limit and grace."
    )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunStatistics:
        return cls(
            needs=int(data.get("needs", 0)),
            people=int(data.get("people", 0)),
            resources=int(data.get("resources", 0)),
            deeds_proposed=int(data.get("deeds_proposed", 0)),
            unmatched=int(data.get("unmatched", 0)),
            unmatched_by_reason=[
                ReasonCount(reason=k, count=int(v))
                for k, v in (data.get("unmatched_by_reason") or {}).items()
            ],
            components=int(data.get("components", 0)),
            seconds_per_phase=[
                PhaseSeconds(phase=k, seconds=float(v))
                for k, v in (data.get("seconds_per_phase") or {}).items()
            ],
            priority_sum=int(data.get("priority", 0)),
            proved_bound=int(data.get("bound", 0)),
            constraints_skipped=int(data.get("constraints_skipped", 0)),
            # Written by the worker's give-up (resolvers/runs/worker.py, GAVE_UP) only when it
            # stopped the solver; runs stored before the key existed have none either.
            stopped_past_time_limit=or_none(float)(data.get("stopped_past_time_limit")),
        )


PAGE = "Relay paging: `first` (capped by the server) items after cursor `after`."


def _account_id(pk: int) -> str:
    return to_global_id("Account", pk)


@strawberry.type(
    description="The account that started a run, as staff reading the run see it: its id, the "
    "name it is shown by and its role (never the personal data of a person)."
)
class RunStarter(RowType):
    id: strawberry.ID = column(
        "started_by_account_id",
        convert=_account_id,
        description="The account's id (an Account id).",
    )
    display_name: str = column(
        "starter_name",
        description="The name the account is shown by, e.g. a village office's name.",
        public="an account's shown name, read only by staff whose scope covers the run it "
        "started (runs are staff records); an office's name, not a resident's",
    )
    role: Role = column("starter_role", convert=Role, description="The account's role (see Role).")


def _starter(row: Record) -> RunStarter | None:
    """The starter of a run row read with its account's name and role; None for a run started
    with a bootstrap token (or whose account is gone)."""
    if row.started_by_account_id is None or row.starter_name is None:
        return None
    return RunStarter.from_row(row)


def _is_set(value: Any) -> bool:
    return value is not None


def _download(name: str) -> Any:
    """The URL of a run's contract JSON file `name`, from the run's id."""
    return lambda pk: f"/runs/{pk}/{name}"


@strawberry.type(
    description="An optimisation run over a cell's subtree and a period: it matches the open "
    "needs to people and resources and writes its answer as PROPOSED deeds."
)
class OptimisationRun(Node):
    period_from: date = column(description="First day of the planned period.")
    period_to: date = column(description="Last day of the planned period.")
    status: OptimisationRunStatus = column(  # type: ignore[valid-type]
        description="Where the run is; poll or subscribe until SUCCEEDED, FAILED or CANCELLED.",
        convert=RunStatus,
    )
    started_by: str = column(
        description='A label of the starter\'s scope, e.g. "staff of NH-JJ" (shown when '
        "startedByAccount is null)."
    )
    started_by_account: RunStarter | None = computed(
        _starter,
        description="The account that started the run: its id, name and role; null when it was "
        "started with a configured bootstrap token (SANDAN_STAFF_TOKENS), which has no account.",
    )
    created_at: datetime = column(description="When the run was started (queued).")
    started_at: datetime | None = column(description="When a worker began solving.")
    finished_at: datetime | None = column(
        description="When the run ended (null while QUEUED or RUNNING)."
    )
    time_limit_seconds: int = column(
        description="The solver's time budget in seconds, as asked when it was started."
    )
    seed: int = column(description="Solver seed: same seed, same instance, same answer.")
    attempts: int = column(description="Times a worker took the run (2 after a retry).")
    progress: RunProgress | None = column(
        description="Null until solving starts.", convert=or_none(RunProgress.from_json)
    )
    statistics: RunStatistics | None = column(
        description="Set when the run ends.", convert=or_none(RunStatistics.from_json)
    )
    failure: str | None = column(
        description="Why the run FAILED, in words a staff member can act on."
    )
    cancel_requested: bool = column(
        "cancel_request", description="A cancel was asked for while RUNNING.", convert=_is_set
    )
    instance_url: str = column(
        "id",
        description="Download of the instance (contract JSON; staff token as bearer).",
        convert=_download("instance.json"),
    )
    solution_url: str = column(
        "id",
        description="Download of the solution (contract JSON) once the run has one.",
        convert=_download("solution.json"),
    )
    pk: strawberry.Private[int] = key("id")
    cell_pk: strawberry.Private[int] = key("cell_id")
    cell: Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None = related(
        "cell_by_id", "cell_pk", description="The root cell of the run's subtree."
    )

    @strawberry.field(description="The deeds this run proposed, with explanations. " + PAGE)
    async def proposals(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[RunProposal]:
        from sandan.resolvers.runs import reads

        return await reads.proposals(info.context, self.pk, first, after)

    @strawberry.field(description="Needs the run could not fulfil, with reason codes. " + PAGE)
    async def unmatched(
        self,
        info: Info,
        reason: Annotated[
            str | None,
            strawberry.argument(
                description="Only needs with this reason code, e.g. NO_ELIGIBLE_LEAD."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[UnmatchedNeed]:
        from sandan.resolvers.runs import reads

        return await reads.unmatched(info.context, self.pk, reason, first, after)


@strawberry.type(description="A deed a run proposed, and the solver's explanation of it.")
class RunProposal:
    deed: Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")] = strawberry.field(
        description="The proposed deed: approve or reject it with approveDeeds / rejectDeeds."
    )
    explanation: list[str] = strawberry.field(
        description="Why this lead, why these members and resources, what was traded off."
    )
    rejected_reason: str | None = strawberry.field(description="Set when staff rejected it.")


@strawberry.type(description="A need a run left unmatched, and why.")
class UnmatchedNeed:
    reasons: list[str] = strawberry.field(
        description="Codes to act on, e.g. NO_ELIGIBLE_LEAD, SKILL_NOT_COVERED: nursing, "
        "RESOURCE_SHORT: VENUE, OUTPRIORITISED, TIME_LIMIT, CANDIDATES_CAPPED."
    )
    need_pk: strawberry.Private[int]
    need: Annotated[Need, strawberry.lazy("sandan.schema.types.lists")] | None = related(
        "need_by_id", "need_pk", description="The need."
    )


@strawberry.type(
    description="A staff pin or forbid applied to later runs until lifted: a person pinned to "
    "(or forbidden for) a need, or units of a resource pinned to a need (`resource` and "
    "`quantity` set, `person` null)."
)
class RunConstraint(Node):
    kind: ConstraintKind = column(  # type: ignore[valid-type]
        description="PIN (must serve) or FORBID (must not serve); a resource pin is a PIN.",
        convert=DbConstraintKind,
    )
    quantity: int | None = column(
        description="For a resource pin: the units reserved for the need in each later run "
        "(they join its deed if the run fulfils it); null for a person's pin or forbid."
    )
    role: DeedRole | None = column(
        description="For a person's PIN: the role they must take (null for a FORBID or a "
        "resource pin).",
        convert=or_none(DeedRole),
    )
    period_from: date | None = column(description="Applies to runs meeting this period")
    period_to: date | None = column(description="(null ends: any period).")
    reason: str | None = column(description="Why staff added it, if they said.")
    created_by: str = column(
        description='Who added it: a label of their staff scope, e.g. "staff of NH-JJ".'
    )
    created_at: datetime = column(description="When it was added.")
    lifted_by: str | None = column(description="Set once lifted: no longer applied.")
    lifted_at: datetime | None = column(description="When it was lifted (null: active).")
    need_pk: strawberry.Private[int] = key("need_id")
    person_pk: strawberry.Private[int | None] = key("person_id")
    resource_pk: strawberry.Private[int | None] = key("resource_id")
    need: Annotated[Need, strawberry.lazy("sandan.schema.types.lists")] | None = related(
        "need_by_id", "need_pk", description="The need."
    )
    person: Annotated[Person, strawberry.lazy("sandan.schema.types.members")] | None = related(
        "person_by_id",
        "person_pk",
        description="The person pinned or forbidden; null for a resource pin.",
    )
    resource: Annotated[Resource, strawberry.lazy("sandan.schema.types.lists")] | None = related(
        "resource_by_id",
        "resource_pk",
        description="The resource pinned (a resource pin); null otherwise.",
    )
