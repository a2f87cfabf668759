"""The optimiser: joins the needs list to the resource list and produces the deeds list.

Pure computation (numpy and OR-Tools only; no web or database imports). See solver.py for the
pipeline and shared/contract/matching.md for the instance and solution formats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .instance import InstanceError, parse_instance
from .progress import Progress

if TYPE_CHECKING:
    from .solver import STRATEGIES, solve

__all__ = ["STRATEGIES", "InstanceError", "Progress", "parse_instance", "solve"]


def __getattr__(name: str) -> Any:
    # OR-Tools takes about a second to import: load the solver only when it is asked for, so
    # commands that never solve (sandan serve, migrate, check) start at once.
    if name in ("solve", "STRATEGIES"):
        from . import solver

        return getattr(solver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
