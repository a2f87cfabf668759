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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Self

import strawberry
from strawberry.types.field import StrawberryField

from sandan.db.place import PLACE_COLUMN
from sandan.db.repositories.batch import Record
from sandan.schema.context import Info, Viewer
from sandan.schema.ids import to_global_id
from sandan.schema.read_audit import HOUSEHOLD_OF, note_household


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

# What callers outside CELL_SCOPE are told of a record's place (see `place_key`).
PLACE_SENTENCE = (
    "Filed at a household-contact group, it is shown at the group's branch unless the "
    "caller's grid scope covers the group (staff of that subtree see the group)."
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
    # Outside the personal rule's scope: the row's column of this name instead of None.
    outside: str | None = None
    # `convert` reads the whole row (a value of several columns), not one column (`computed`).
    whole_row: bool = False


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


def computed(of_row: Callable[[Any], Any], *, description: str) -> Any:
    """A GraphQL field whose value `of_row(row)` computes from several columns of the row (a
    JSON column parsed, an object of its own); like a converted column, it is read in Python,
    so the JSON path leaves a type that selects it to the loaders."""
    declared = Column(None, convert=of_row, whole_row=True)
    return strawberry.field(description=description, metadata={"column": declared})


def key(
    name: str,
    *,
    convert: Callable[[Any], Any] | None = None,
    personal: PersonalRule | None = None,
    outside: str | None = None,
) -> Any:
    """A private attribute (not in the API) copied from the row's column `name`; with
    `personal`, outside the rule's scope it is the row's column `outside` instead."""
    declared = Column(name, personal, convert, private=True, outside=outside)
    return dataclasses.field(metadata={"column": declared})


def place_key() -> Any:
    """The cell key of a needs-list record (a need, a deed, a partner task): the group it was
    filed at inside the caller's personal scope, the group's branch outside it (the select
    carries both, see `sandan.db.place`). Its `cell` field says so with PLACE_SENTENCE."""
    return key("cell_id", personal=CELL_SCOPE, outside=PLACE_COLUMN)


# Fields that several types share, worded once.


def reach_column(who: str) -> Any:
    """The `reach` column: the level whose subtree `who` may serve."""
    return column(
        description=f"The level of the ancestor whose subtree {who} may serve; null: everywhere."
    )


def first_day(what: str) -> Any:
    """A date column opening a window: the first day `what`, null for no start limit."""
    return column(description=f"First day {what} (inclusive); null: no start limit.")


def last_day(what: str) -> Any:
    """A date column closing a window: the last day `what`, null for no end limit."""
    return column(description=f"Last day {what} (inclusive); null: no end limit.")


# A list entry's (a need's, a resource's) stamps.
ENTRY_CREATED = "When the entry was made (UTC)."
ENTRY_VERSION = (
    "Goes up by one with every change and close. Send it back as `expectedVersion` when "
    "updating, so a change made meanwhile by someone else is not overwritten."
)
ENTRY_CLOSED = "When it was closed (UTC); null while open."


def or_none(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert` for a nullable column: NULL stays None, anything else is converted."""
    return lambda value: None if value is None else convert(value)


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


def related(
    loader: str,
    key: str,
    mode: Literal["one", "many"] = "one",
    *,
    description: str,
    personal: PersonalRule | None = None,
    public: str | None = None,
) -> Any:
    """A nested field declared once: `via(...)`'s metadata (which the compiled and JSON paths
    read) and the strawberry resolver that follows it, `context.loaders.<loader>.load(parent.
    <key>)` (`load_many`, dropping what is not found, when mode is "many"); a key of None is
    None without a query. The field's type is the class annotation."""

    async def resolve(root: Any, info: Info) -> Any:
        pk = getattr(root, key)
        if pk is None:
            return None
        load = getattr(info.context.loaders, loader)
        if mode == "many":
            return [found for found in await load.load_many(pk) if found is not None]
        return await load.load(pk)

    metadata = via(loader, key, mode, personal=personal, public=public)
    return strawberry.field(resolver=resolve, description=description, metadata=metadata)


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
    outside: str | None = None
    whole_row: bool = False


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
                        outside=declared.outside,
                        whole_row=declared.whole_row,
                    )
                )
            elif f.name != "id" and not _is_resolver(f):
                raise TypeError(f"{self.typename}.{f.name} declares no column (see fields.py)")
        # The global id of the row's own `id`, unless the type declares its `id` otherwise.
        self.with_id = "id" in graphql_names and all(c.attr != "id" for c in self.columns)
        self.build: Callable[[Record, Viewer | None], Any] = self._compile()

    def _compile(self) -> Callable[[Record, Viewer | None], Any]:
        """The constructor call written out, as a hand-written `from_row` would be: objects are
        built for every row of every read, and keyword arguments from a loop cost 70% more."""
        namespace: dict[str, Any] = {"cls": self.cls, "to_global_id": to_global_id}
        rules = list(dict.fromkeys(c.personal for c in self.columns if c.personal is not None))
        lines = ["def build(row, viewer=None):"]
        if rules:
            lines.append("    if viewer is None:")
            lines.append(f"        raise TypeError('{_name(self.typename)} needs the viewer')")
        for i, rule in enumerate(rules):
            lines.append(f"    covered{i} = viewer.personal.covers(row.{_name(rule.path_column)})")
        audited = HOUSEHOLD_OF.get(self.typename)
        if rules and audited is not None:
            # The audit trail learns whose personal data this row serves (schema/read_audit.py).
            namespace["note_household"] = note_household
            lines.append(f"    if covered0: note_household(row.{_name(audited)})")
        typename = _name(self.typename)
        arguments = [f"id=to_global_id('{typename}', row.id)"] if self.with_id else []
        for i, c in enumerate(self.columns):
            value = "row" if c.whole_row else f"row.{_name(c.column)}"
            if c.convert is not None:
                namespace[f"convert{i}"] = c.convert
                value = f"convert{i}({value})"
            if c.personal is not None:
                other = "None" if c.outside is None else f"row.{_name(c.outside)}"
                value = f"({value} if covered{rules.index(c.personal)} else {other})"
            arguments.append(f"{_name(c.attr)}={value}")
        lines.append(f"    return cls({', '.join(arguments)})")
        exec("\n".join(lines), namespace)
        build: Callable[[Record, Viewer | None], Any] = namespace["build"]
        return build


def _name(name: str) -> str:
    # Only attribute and column names from the declarations reach the generated code.
    if not name.isidentifier():
        raise TypeError(f"{name!r} is not a Python name")
    return name


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
        build = row_mapping(cls).build
        # Later calls go straight to the generated function (no lookup on each row).
        cls.from_row = staticmethod(build)  # type: ignore[assignment, method-assign]
        built: Self = build(row, viewer)
        return built
