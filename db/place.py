"""Where a need, and the deeds and partner tasks taken from it, is shown: its place.

A need heard on a household visit is filed at the household-contact group (the group leader's
list). A group holds about 70 households, so "this need is in group X" says too much about a
household to a caller who may not read its personal data: for such a caller (the public,
partners, staff of another subtree) a row filed at a group is at the group's branch. Staff whose
personal scope covers the group see the group.

Every read applies the rule through these expressions: the row's `cell` (the select carries
`place_cell_id`, and the field declaration picks it outside the personal scope, see
`schema/types/fields.py`), the lists under a cell (`cell { needs deeds }`: a group's list is
empty for such a caller, its branch's list holds the group's rows), `under` filters, subtree
counts and the public board.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, not_

from sandan.db.enums import Level
from sandan.db.models import Cell
from sandan.db.scope import Scope

# The label of the place column in the selects of needs, deeds and partner tasks.
PLACE_COLUMN = "place_cell_id"


def place_cell_id(cell: Any = Cell) -> ColumnElement[int]:
    """The cell shown for a row filed at `cell` to a caller outside the personal scope: a
    group's branch, any other cell itself."""
    return case((cell.level == Level.GROUP, cell.parent_id), else_=cell.id)


def coarsened(personal: Scope, cell: Any = Cell) -> ColumnElement[bool]:
    """Rows filed at `cell` that the caller with this personal scope sees one level up."""
    if personal.is_everything:
        return false()
    return and_(cell.level == Level.GROUP, not_(personal.clause(cell.path)))


def shown_cell_id(personal: Scope, cell: Any = Cell) -> ColumnElement[int] | Any:
    """The cell the caller sees a row filed at `cell` in."""
    if personal.is_everything:
        return cell.id
    return case((coarsened(personal, cell), cell.parent_id), else_=cell.id)


def placed_within(subtrees: Scope, personal: Scope, cell: Any = Cell) -> ColumnElement[bool]:
    """Rows filed at `cell` whose shown cell lies in `subtrees`: a group's own rows are not
    inside that group for a caller who sees them at its branch."""
    inside = subtrees.clause(cell.path)
    if subtrees.paths is None or personal.is_everything:
        return inside
    # A subtree below another adds nothing; a group left on its own does not hold its branch.
    paths = subtrees.paths
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return and_(inside, not_(and_(cell.path.in_(tops), coarsened(personal, cell))))
