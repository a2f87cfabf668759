"""Field declarations: each API field says once where its value comes from and who may see it.

A field of an object type read from a table row is declared with `column(...)` (a GraphQL field)
or `key(...)` (a private attribute that nested fields use to find related rows), a nested field
with `via(...)`. From these declarations come, with nothing written twice:

- the row mapping (`RowType.from_row`): which column feeds which attribute;
- the personal-data mask of every read path: strawberry and the compiled path build objects
  with `from_row`, which leaves a personal field None outside the viewer's personal scope, and
  the PostgreSQL JSON path (`sandan.schema.fastpath.sql`) reads the same declarations;
- the tables of the compiled and JSON paths (`sandan.schema.fastpath.sql.TYPES`).

Adding a plain field to a type is one `name: str = column(description=...)` line plus the
migration that adds its column.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Self

import strawberry
from strawberry.types.field import StrawberryField

from sandan.db.repositories.batch import Record
from sandan.schema.context import Viewer
from sandan.schema.ids import to_global_id


@dataclass(frozen=True)
class PersonalRule:
    """Who sees a personal field: staff whose personal scope covers the row's `path_column`
    (a cell's ancestry path that the row's select carries)."""

    path_column: str
    sentence: str


# The only rule so far: the record's own cell is in the caller's personal scope.
CELL_SCOPE = PersonalRule(
    "cell_path", "Personal data: null unless the caller's grid scope covers this record."
)


@dataclass(frozen=True)
class Column:
    """Where an attribute's value comes from: `name` of the row (None: the attribute's own
    name), optionally passed through `convert`; `personal` masks it outside the rule's scope."""

    name: str | None
    personal: PersonalRule | None = None
    convert: Callable[[Any], Any] | None = None
    # A private attribute (`key`): not in the API, read by nested fields to find related rows.
    private: bool = False


def column(
    name: str | None = None,
    *,
    description: str,
    personal: PersonalRule | None = None,
    public: str | None = None,
    convert: Callable[[Any], Any] | None = None,
) -> Any:
    """A GraphQL field copied from the row's column `name` (default: the field's own name).
    `personal` marks personal data (its rule's sentence joins the description); `public`
    gives the reason a field whose name looks personal is not (see tests/api)."""
    if personal is not None:
        description = f"{description} {personal.sentence}"
    metadata: dict[str, Any] = {"column": Column(name, personal, convert)}
    if public is not None:
        metadata.update(public_field(public))
    return strawberry.field(description=description, metadata=metadata)


def key(name: str, *, convert: Callable[[Any], Any] | None = None) -> Any:
    """A private attribute (not in the API) copied from the row's column `name`."""
    return dataclasses.field(metadata={"column": Column(name, None, convert, private=True)})


def via(
    loader: str,
    key: str,
    mode: Literal["one", "many"] = "one",
    *,
    personal: PersonalRule | None = None,
    public: str | None = None,
) -> dict[str, Any]:
    """Field metadata: the value is `context.loaders.<loader>.load(parent.<key>)`
    (`load_many` when mode is "many"); a key of None gives None without a query. A `personal`
    field's key is None outside the rule's scope, so the field is null there on every path."""
    metadata: dict[str, Any] = {"via": (loader, key, mode)}
    if personal is not None:
        metadata["personal"] = personal
    if public is not None:
        metadata.update(public_field(public))
    return metadata


def public_field(reason: str) -> dict[str, Any]:
    """Field metadata: a field whose name looks personal (see the list of such names in the
    personal-data tests) is public, for `reason`."""
    return {"public": reason}


def personal_rule(field: dataclasses.Field[Any]) -> PersonalRule | None:
    """The personal rule of a declared field (a column or a nested field), if any."""
    declared = field.metadata.get("column")
    if isinstance(declared, Column):
        return declared.personal
    rule = field.metadata.get("personal")
    return rule if isinstance(rule, PersonalRule) else None


@dataclass(frozen=True)
class FieldColumn:
    """One declared attribute of a row type, as the mapping and the SQL paths see it."""

    attr: str
    column: str
    private: bool
    personal: PersonalRule | None
    convert: Callable[[Any], Any] | None


class RowMapping:
    """How rows become objects of one type, derived from its field declarations."""

    def __init__(self, cls: type[Any]) -> None:
        definition = cls.__strawberry_definition__
        self.cls = cls
        self.typename: str = definition.name
        self.columns: list[FieldColumn] = []
        graphql_names = {f.python_name for f in definition.fields}
        masked_keys: dict[str, PersonalRule] = {}
        for g in definition.fields:
            rule = g.metadata.get("personal")
            if isinstance(rule, PersonalRule) and "via" in g.metadata:
                masked_keys[g.metadata["via"][1]] = rule
        for f in dataclasses.fields(cls):
            declared = f.metadata.get("column")
            if isinstance(declared, Column):
                self.columns.append(
                    FieldColumn(
                        attr=f.name,
                        column=declared.name or f.name,
                        private=declared.private,
                        personal=declared.personal or masked_keys.get(f.name),
                        convert=declared.convert,
                    )
                )
            elif f.name != "id" and not _is_resolver(f):
                raise TypeError(f"{self.typename}.{f.name} declares no column (see fields.py)")
        self.with_id = "id" in graphql_names
        plain = [c for c in self.columns if c.convert is None]
        self._names = tuple(c.attr for c in plain)
        self._get = _tuple_getter([c.column for c in plain])
        self._converted = [(c.attr, c.column, c.convert) for c in self.columns if c.convert]
        rules = {c.personal for c in self.columns if c.personal is not None}
        self._masks = [
            (rule, tuple(c.attr for c in self.columns if c.personal == rule)) for rule in rules
        ]

    def build(self, row: Record, viewer: Viewer | None) -> Any:
        kwargs = dict(zip(self._names, self._get(row), strict=True))
        for attr, name, convert in self._converted:
            kwargs[attr] = convert(getattr(row, name))
        if self.with_id:
            kwargs["id"] = to_global_id(self.typename, row.id)
        for rule, attrs in self._masks:
            if viewer is None:
                raise TypeError(f"{self.typename} has personal fields: from_row needs the viewer")
            if not viewer.personal.covers(getattr(row, rule.path_column)):
                for attr in attrs:
                    kwargs[attr] = None
        return self.cls(**kwargs)


def _tuple_getter(columns: list[str]) -> Callable[[Record], tuple[Any, ...]]:
    """The row's values of `columns` as a tuple (attrgetter gives a bare value for one)."""
    if len(columns) == 1:
        one = operator.attrgetter(columns[0])
        return lambda row: (one(row),)
    if not columns:
        return lambda row: ()
    getter: Callable[[Record], tuple[Any, ...]] = operator.attrgetter(*columns)
    return getter


def _is_resolver(f: dataclasses.Field[Any]) -> bool:
    return isinstance(f, StrawberryField) and f.base_resolver is not None


_MAPPINGS: dict[type[Any], RowMapping] = {}


def row_mapping(cls: type[Any]) -> RowMapping:
    """The mapping of `cls`, built on first use (types refer to each other lazily)."""
    mapping = _MAPPINGS.get(cls)
    if mapping is None:
        mapping = _MAPPINGS[cls] = RowMapping(cls)
    return mapping


class RowType:
    """A type whose objects are built from table rows through its field declarations."""

    @classmethod
    def from_row(cls, row: Record, viewer: Viewer | None = None) -> Self:
        """The object of `row`; types with personal fields need the `viewer` to mask them."""
        built: Self = row_mapping(cls).build(row, viewer)
        return built
