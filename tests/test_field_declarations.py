"""Field declarations (sandan.schema.types.fields): a type's row mapping comes from them alone,
personal fields are masked by them, and an undeclared field is refused when the type is used."""

from __future__ import annotations

from collections import namedtuple

import pytest
import strawberry

from sandan.db.scope import Scope
from sandan.schema.context import Viewer
from sandan.schema.types.fields import CELL_SCOPE, RowType, column, key, row_mapping
from sandan.schema.types.members import Household

Row = namedtuple(
    "Row",
    "id code size head_name address phone elderly_alone disability low_income cell_id "
    "contact_person_id cell_path",
)
ROW = Row(5, "H-5", 3, "王", "1 Road", "139", True, False, True, 2, None, "/1/2/")
PERSONAL = ("head_name", "address", "phone", "elderly_alone", "disability", "low_income")


def test_personal_columns_and_their_nested_fields_follow_the_viewer_scope() -> None:
    inside = Household.from_row(ROW, Viewer.staff_of(Scope.subtrees(["/1/"])))
    outside = Household.from_row(ROW, Viewer.staff_of(Scope.subtrees(["/9/"])))
    public = Household.from_row(ROW, Viewer.public())
    assert [getattr(inside, a) for a in PERSONAL] == [getattr(ROW, a) for a in PERSONAL]
    for masked in (outside, public):
        assert all(getattr(masked, a) is None for a in PERSONAL)
        # `visits` is declared personal: its key is masked with the columns.
        assert masked.visits_visible_pk is None
        assert (masked.code, masked.size, masked.cell_pk) == ("H-5", 3, 2)
    assert inside.visits_visible_pk == 5
    assert inside.id == public.id == "SG91c2Vob2xkOjU="  # base64("Household:5")


def test_a_type_with_personal_fields_needs_the_viewer() -> None:
    with pytest.raises(TypeError, match="Household needs the viewer"):
        Household.from_row(ROW)


def test_columns_other_than_the_field_name_and_conversions() -> None:
    @strawberry.type
    class Sample(RowType):
        label: str = column("title", description="d")
        count: int = column(description="d", convert=len)
        ref: strawberry.Private[int] = key("other_id")

    built = Sample.from_row(namedtuple("R", "title count other_id")("t", [1, 2], 9))
    assert (built.label, built.count, built.ref) == ("t", 2, 9)
    assert {c.attr: c.private for c in row_mapping(Sample).columns} == {
        "label": False,
        "count": False,
        "ref": True,
    }
    assert CELL_SCOPE.path_column == "cell_path"


def test_an_undeclared_field_is_refused() -> None:
    @strawberry.type
    class Forgotten(RowType):
        declared: str = column(description="d")
        forgotten: str

    with pytest.raises(TypeError, match=r"Forgotten\.forgotten declares no column"):
        row_mapping(Forgotten)
