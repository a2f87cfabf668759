"""Command line for the optimiser: ``sandan solve`` and ``sandan check``.

    sandan solve INSTANCE.json [-o SOLUTION.json] [--time-limit S] [--workers N] [--seed N]
                 [--strategy auto|greedy|cpsat] [--progress] [--replay SOLUTION.json]
                 [--dask tcp://scheduler:8786]
    sandan check INSTANCE.json SOLUTION.json

``--time-limit S`` covers the whole process: its clock starts when the process starts (reading
the instance and writing the solution included). ``--replay`` repeats the work recorded in an
earlier solution's ``stats.work`` (same instance, same seed): the same answer on any machine.
``--dask`` (or ``SANDAN_DASK_SCHEDULER``) solves independent parts on a Dask cluster; it needs
the ``cluster`` extra (``pip install sandan[cluster]``).

``register(subparsers)`` adds both subcommands to the project's ``sandan`` command; ``main(argv)``
runs them standalone (``python -m sandan.matching.cli``). This module must stay free of the web and
database stacks (no sqlalchemy, strawberry or starlette), so the optimiser runs anywhere.

Exit codes of ``solve``: 0 OPTIMAL or FEASIBLE, 1 unreadable file or bad JSON, 2 INVALID_INSTANCE,
3 INFEASIBLE_PINS, 4 the time limit cut off pinned needs before their pins could be placed (the
answer is written, with those needs unmatched for ``TIME_LIMIT``; ``sandan check`` names the
pins it leaves unmet). Ctrl-C stops the search and still writes the best answer found so far.
Exit codes of ``check``: 0 valid, 1 any violation, 2 unreadable input.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
import time
from typing import Any, NoReturn

from .check import check
from .cli_inputs import Unreadable, load_json, positive_count, positive_seconds, process_started
from .instance import ReplayError
from .lines import describe, format_progress, summary_line
from .pool import drop_prestarted, may_split, prestart
from .progress import Progress
from .timeout import (
    DEFAULT_TIME_LIMIT,
    TIME_LIMIT,
    allow_pools,
    out_of_time,
    stop_all_pools,
)

EXIT_OK = 0
EXIT_UNREADABLE = 1
EXIT_INVALID = 2
EXIT_INFEASIBLE_PINS = 3
EXIT_PINS_CUT_OFF = 4
CHECK_VIOLATIONS = 1
CHECK_UNREADABLE = 2
# Seconds past the time limit at which the command stops waiting for an overrunning solver and
# writes the cut-off answer (timeout.py): writing it and exiting take the rest of the second.
GIVE_UP_AFTER = 0.7
# ... less this per need, for writing the cut-off answer while the solver's thread still holds
# the interpreter half the time (a district's 21,205 needs: 0.25 s alone, 0.6 s beside it).
GIVE_UP_PER_NEED = 2.5e-5
# Set when a cut-off solve left its thread running (see `exit_process`).
_left_behind = threading.Event()


def _err(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def _write_solution(solution: dict[str, Any], output: str | None) -> bool:
    text = json.dumps(solution, indent=2, ensure_ascii=False) + "\n"
    if output is None or output == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `sandan solve x.json | head`: the reader left early
            _err("sandan solve: stdout closed before the solution was written")
            return False
        return True
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        _err(f"sandan solve: cannot write {output}: {exc.strerror or exc}")
        return False
    return True


def _keep_sigint() -> None:
    """Re-install Python's Ctrl-C handler. OR-Tools' CP-SAT (unless told
    ``catch_sigint_signal = False``) installs its own SIGINT handler for each solve and resets it to
    the default (kill the process) afterwards, which would turn Ctrl-C into an abrupt exit without
    an answer. Called from the main thread while the solver runs."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _replay_work(path: str | None) -> dict[str, Any] | None:
    """The work record of an earlier solution, for ``--replay``."""
    if path is None:
        return None
    solution = load_json(path)
    stats = solution.get("stats") if isinstance(solution, dict) else None
    work = stats.get("work") if isinstance(stats, dict) else None
    # Its shape (one part's, a split run's, a cut-off's) is `run.check_work`'s to judge.
    if not isinstance(work, dict):
        raise Unreadable(f"{path} records no work to replay (stats.work is missing)")
    return work


def _dask_executor(address: str) -> tuple[Any, Any]:
    """(client, executor) of the Dask scheduler at `address`; distributed is imported here only."""
    try:
        from distributed import Client
    except ImportError:
        raise Unreadable("--dask needs the Dask extra: pip install 'sandan[cluster]'") from None
    try:
        client = Client(address, timeout=5)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise Unreadable(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    return client, client.get_executor()  # type: ignore[no-untyped-call]


def cmd_solve(args: argparse.Namespace) -> int:
    """``sandan solve``: read the instance, solve, write the solution, summarise on stderr."""
    started = process_started()
    address = args.dask or os.environ.get("SANDAN_DASK_SCHEDULER") or None
    client: Any = None
    try:
        try:
            from .budget import BudgetError, max_pairs  # numpy: not for the other commands

            try:
                max_pairs()  # a bad SANDAN_MAX_PAIRS is the user's to fix, before any work
            except BudgetError as exc:
                raise Unreadable(str(exc)) from None
            instance = load_json(args.instance)
            split_locally = args.workers >= 2 and args.strategy == "auto" and not address
            if split_locally and may_split(instance):
                # Its parts run in worker processes: start them now, so that their imports
                # overlap the solver's import and the parsing instead of the parts' time.
                allow_pools()
                prestart(args.workers)
            replay = _replay_work(args.replay)
            if address:
                client, executor = _dask_executor(address)
            else:
                executor = None
        except Unreadable as exc:
            _err(f"sandan solve: {exc}")
            return EXIT_UNREADABLE
        return _solve_and_write(args, instance, replay, executor, started)
    finally:
        drop_prestarted()
        if client is not None:
            client.close()


def _solve_and_write(
    args: argparse.Namespace,
    instance: Any,
    replay: dict[str, Any] | None,
    executor: Any,
    started: float,
) -> int:
    allow_pools()
    cancel = threading.Event()
    done = threading.Event()
    box: dict[str, Any] = {}

    def progress(event: Progress) -> None:
        _err(format_progress(event))

    def run() -> None:
        try:
            # Imported here, not before the clock below is armed: OR-Tools takes 1-3 s to load.
            from .solver import solve

            box["solution"] = solve(
                instance,
                time_limit=args.time_limit,
                workers=args.workers,
                seed=args.seed,
                progress=progress if args.progress else None,
                cancel=cancel,
                strategy=args.strategy,
                replay=replay,
                executor=executor,
                started=started,
            )
        except BaseException as exc:  # reported in the main thread
            box["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=run, name="sandan-solve", daemon=True)
    worker.start()
    interrupted = False
    cut_off: dict[str, Any] | None = None
    limit = DEFAULT_TIME_LIMIT if args.time_limit is None else args.time_limit
    needs = instance.get("needs") if isinstance(instance, dict) else None
    grace = GIVE_UP_AFTER - GIVE_UP_PER_NEED * (len(needs) if isinstance(needs, list) else 0)
    give_up = math.inf if replay is not None else started + limit + max(0.2, grace)
    # Wait on an event rather than Thread.join: a KeyboardInterrupt inside join() can leave the
    # thread looking finished while it still runs.
    while not done.is_set():
        if time.monotonic() >= give_up:
            # The solver overran (an instance too large for the limit): keep the limit with the
            # answer a cut-off run gives, and leave the solver thread behind.
            cancel.set()
            stop_all_pools()
            _left_behind.set()
            cut_off = out_of_time(instance, time.monotonic() - started)
            _err(
                "sandan solve: the time limit ran out before the solver had an answer; every "
                f"need is reported unmatched ({TIME_LIMIT}); give it more time"
            )
            break
        try:
            _keep_sigint()
            done.wait(min(0.1, max(0.0, give_up - time.monotonic())))
        except KeyboardInterrupt:
            if interrupted:
                _err("sandan solve: interrupted twice; giving up without an answer")
                return 130
            interrupted = True
            _err("sandan solve: interrupted; stopping the search and keeping the best answer")
            cancel.set()
    seconds = time.monotonic() - started
    if cut_off is not None:
        return _write_and_summarise(args, cut_off, seconds, instance)
    worker.join()

    if isinstance(box.get("error"), ReplayError):
        _err(f"sandan solve: cannot replay {args.replay}: {box['error']}")
        return EXIT_UNREADABLE
    if "error" in box:
        failure = box["error"]
        _err(f"sandan solve: internal error in the solver: {type(failure).__name__}: {failure}")
        return EXIT_UNREADABLE
    return _write_and_summarise(args, box["solution"], seconds, instance)


def _pins_cut_off(instance: Any, solution: dict[str, Any]) -> int:
    """How many pins name a need the time limit cut off (timeout.py)."""
    unmatched = solution.get("unmatched") or []
    cut = {u.get("need") for u in unmatched if TIME_LIMIT in (u.get("reasons") or [])}
    pins = instance.get("pins") if isinstance(instance, dict) else None
    return sum(1 for p in pins or [] if isinstance(p, dict) and p.get("need") in cut)


def _write_and_summarise(
    args: argparse.Namespace, solution: dict[str, Any], seconds: float, instance: Any
) -> int:
    if not _write_solution(solution, args.output):
        return EXIT_UNREADABLE
    status = solution.get("status")
    if status == "INVALID_INSTANCE":
        _err(f"sandan solve: {args.instance} is not a valid instance:")
        for entry in solution.get("errors") or []:
            _err(f"  {describe(entry)}")
        return EXIT_INVALID
    if status == "INFEASIBLE_PINS":
        _err("sandan solve: the pins cannot all hold; conflicting pins:")
        for entry in solution.get("conflicts") or []:
            _err(f"  {describe(entry)}")
        return EXIT_INFEASIBLE_PINS
    _err(summary_line(solution, seconds))
    unmet = _pins_cut_off(instance, solution)
    if unmet:
        _err(
            f"sandan solve: the time limit cut off {unmet} pinned need(s) before their pins "
            "could be placed: this answer does not hold them; give it more time"
        )
        return EXIT_PINS_CUT_OFF
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """``sandan check``: print every violation, then the recomputed objectives."""
    try:
        instance = load_json(args.instance)
        solution = load_json(args.solution)
    except Unreadable as exc:
        _err(f"sandan check: {exc}")
        return CHECK_UNREADABLE
    report = check(instance, solution)
    for violation in report.violations:
        print(violation)
    print(report.summary())
    return EXIT_OK if report.ok else CHECK_VIOLATIONS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``solve`` and ``check`` to a ``sandan`` command's subparsers."""
    solve_p = subparsers.add_parser(
        "solve",
        help="match needs to people and resources (instance JSON -> solution JSON)",
        description="Solve a matching instance (contract version 1) and write the solution JSON.",
    )
    solve_p.add_argument("instance", metavar="INSTANCE.json", help="instance file ('-' = stdin)")
    solve_p.add_argument(
        "-o", "--output", metavar="SOLUTION.json", help="write the solution here (default stdout)"
    )
    solve_p.add_argument(
        "--time-limit",
        type=positive_seconds,
        default=None,
        metavar="S",
        help="stop after S seconds",
    )
    solve_p.add_argument(
        "--workers",
        type=positive_count,
        default=2,
        metavar="N",
        help="CP-SAT threads in all; independent parts run in min(N, parts) processes of "
        "N // processes threads each (with --dask: N parts at a time, one thread each)",
    )
    solve_p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed")
    solve_p.add_argument("--strategy", choices=["auto", "greedy", "cpsat"], default="auto")
    solve_p.add_argument(
        "--progress", action="store_true", help="print progress lines to stderr while solving"
    )
    solve_p.add_argument(
        "--replay",
        metavar="SOLUTION.json",
        help="repeat the work recorded in this earlier solution (same instance and seed): "
        "the identical answer on any machine; the time limit is ignored",
    )
    solve_p.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="solve independent parts on this Dask scheduler, e.g. tcp://scheduler:8786 "
        "(default: $SANDAN_DASK_SCHEDULER; needs the 'cluster' extra)",
    )
    solve_p.set_defaults(func=cmd_solve)

    check_p = subparsers.add_parser(
        "check",
        help="check a solution against its instance",
        description="Check a solution against the contract's rules and recompute its objective.",
    )
    check_p.add_argument("instance", metavar="INSTANCE.json")
    check_p.add_argument("solution", metavar="SOLUTION.json")
    check_p.set_defaults(func=cmd_check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sandan", description="sandan optimiser commands")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func = args.func
    try:
        result = func(args)
    except KeyboardInterrupt:  # before the search started (reading input) or while checking
        _err(f"sandan {args.command}: interrupted")
        return 130
    assert isinstance(result, int)
    return result


def exit_process(code: int) -> NoReturn:
    """End the process with `code`: at once when a cut-off solve left its thread running, whose
    long numpy and CP-SAT calls would otherwise hold the interpreter's shutdown past the limit."""
    sys.stdout.flush()
    sys.stderr.flush()
    if _left_behind.is_set():
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    exit_process(main())
