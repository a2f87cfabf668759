"""Compiling a validated query document into a plan of fields per object type."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
    validate,
)
from graphql.error import GraphQLError
from graphql.validation import ASTValidationRule, specified_rules
from strawberry.types.field import StrawberryField

from sandan.bounded_cache import BoundedCache, document_weight
from sandan.db.json_pages import PageJson
from sandan.db.json_reads import JsonQuery
from sandan.schema.cost import PageRules, query_cost, uses_variables_for_size

Leaf = Callable[[Any], Any] | None
Kind = Literal["attr", "typename", "nested", "via", "call"]


class NotCompilable(Exception):
    """The document uses something the planner leaves to strawberry."""


@dataclass
class FieldPlan:
    key: str
    kind: Kind
    attr: str = ""
    leaf: Leaf = None  # serialiser of leaf values (None: the value is JSON as it is)
    list_depth: int = 0  # 1 for [X], 0 for X (deeper lists are not planned)
    non_null: bool = False
    via: tuple[str, str, str] | None = None
    sub: SelectionPlan | None = None


@dataclass
class SelectionPlan:
    typename: str
    fields: list[FieldPlan] = field(default_factory=list)


@dataclass
class RootPlan:
    key: str
    strawberry_field: StrawberryField
    field_node: FieldNode
    gql_field: Any
    leaf: Leaf
    list_depth: int
    non_null: bool
    sub: SelectionPlan | None
    # PostgreSQL statements answering the whole root, by the argument that names the object.
    json_queries: dict[str, JsonQuery] = field(default_factory=dict)
    # The JSON part of a connection root's one statement (rows come from its resolver).
    json_page: PageJson | None = None


@dataclass
class Plan:
    operation: OperationDefinitionNode
    roots: list[RootPlan]
    document: DocumentNode | None = None
    # The query cost (schema.cost), computed when planned; None: it depends on the variables.
    cost: int | None = None


def _iso(value: Any) -> Any:
    return value.isoformat()


def iso_date(value: Any) -> Any:
    # Its own function (not `_iso`): the SQL path knows PostgreSQL writes dates the same way,
    # but not times (fractions of a second differ).
    return value.isoformat()


def _leaf_serialiser(gql_type: GraphQLOutputType) -> Leaf:
    if isinstance(gql_type, GraphQLEnumType):
        names = {v.value: name for name, v in gql_type.values.items()}
        if all(name == getattr(value, "value", value) for value, name in names.items()):
            # A str enum whose names are its values: the JSON encoder writes it as it is.
            return None

        def enum_name(value: Any) -> Any:
            return names[value] if not isinstance(value, enum.Enum) else value.name

        return enum_name
    assert isinstance(gql_type, GraphQLScalarType)
    if gql_type.name in ("String", "ID", "Int", "Boolean", "Float"):
        return None
    if gql_type.name == "Date":
        return iso_date
    if gql_type.name in ("DateTime", "Time"):
        return _iso
    return gql_type.serialize


def _unwrap(gql_type: GraphQLOutputType) -> tuple[Any, int, bool]:
    """(named type, list depth, outer non-null); item nullability inside lists is not needed:
    loaders never put None into a list."""
    non_null = isinstance(gql_type, GraphQLNonNull)
    inner: Any = gql_type
    if isinstance(inner, GraphQLNonNull):
        inner = inner.of_type
    depth = 0
    while isinstance(inner, (GraphQLList, GraphQLNonNull)):
        if isinstance(inner, GraphQLList):
            depth += 1
        inner = inner.of_type
    if depth > 1:
        raise NotCompilable("nested lists")
    return inner, depth, non_null


class Planner:
    """Plans documents for one schema and caches the plans by document text."""

    def __init__(
        self,
        schema: GraphQLSchema,
        extra_rules: tuple[type[ASTValidationRule], ...] = (),
        *,
        max_tokens: int | None = None,
        cache_bytes: int = 32 * 1024 * 1024,
        pages: PageRules | None = None,
        json_queries: Callable[[RootPlan], dict[str, JsonQuery]] | None = None,
        json_page: Callable[[RootPlan], PageJson | None] | None = None,
    ) -> None:
        self.schema = schema
        # Given on PostgreSQL: whole roots answered by one statement (see fastpath.sql).
        self.json_queries = json_queries
        self.json_page = json_page
        self.max_tokens = max_tokens
        self.rules = (*specified_rules, *extra_rules)
        self.pages = pages or PageRules(default_page_size=20, max_page_size=100)
        # Bounded by bytes: many large distinct documents must not pin memory.
        self._plans: BoundedCache[tuple[str, str | None], Plan | NotCompilable] = BoundedCache(
            cache_bytes
        )

    def plan_for(self, query: str, operation_name: str | None) -> Plan | None:
        key = (query, operation_name)
        plan = self._plans.get(key)
        if plan is None:
            try:
                plan = self._compile(query, operation_name)
                self._cost(plan, operation_name)
            except (NotCompilable, GraphQLError):
                plan = NotCompilable()
            self._plans.put(key, plan, document_weight(query))
        return plan if isinstance(plan, Plan) else None

    def _cost(self, plan: Plan, operation_name: str | None) -> None:
        """Cost the plan once, with it, unless a variable sets a page size or level."""
        assert plan.document is not None
        if not uses_variables_for_size(plan.document):
            plan.cost = query_cost(self.schema, plan.document, operation_name, None, self.pages)

    def cost_of(self, plan: Plan, operation_name: str | None, variables: Any) -> int:
        if plan.cost is not None:
            return plan.cost
        assert plan.document is not None
        return query_cost(self.schema, plan.document, operation_name, variables, self.pages)

    def _compile(self, query: str, operation_name: str | None) -> Plan:
        document = parse(query, max_tokens=self.max_tokens)
        if validate(self.schema, document, self.rules):
            raise NotCompilable("invalid: strawberry reports the errors")
        operation = _operation(document, operation_name)
        if operation.operation != OperationType.QUERY:
            raise NotCompilable("only queries are planned")
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        query_type = self.schema.query_type
        assert query_type is not None
        roots = []
        for key, node in _collect(query_type, operation.selection_set, fragments).items():
            if node.name.value.startswith("__"):
                raise NotCompilable("introspection")
            gql_field = query_type.fields[node.name.value]
            named, depth, non_null = _unwrap(gql_field.type)
            sub = self._selection(named, node, fragments)
            root = RootPlan(
                key=key,
                strawberry_field=gql_field.extensions["strawberry-definition"],
                field_node=node,
                gql_field=gql_field,
                leaf=None if sub else _leaf_serialiser(named),
                list_depth=depth,
                non_null=non_null,
                sub=sub,
            )
            if self.json_queries is not None:
                root.json_queries = self.json_queries(root)
            if self.json_page is not None:
                root.json_page = self.json_page(root)
            roots.append(root)
        return Plan(operation=operation, roots=roots, document=document)

    def _selection(
        self, named: Any, node: FieldNode, fragments: dict[str, FragmentDefinitionNode]
    ) -> SelectionPlan | None:
        if not isinstance(named, GraphQLObjectType):
            if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
                return None
            raise NotCompilable("interfaces and unions are left to strawberry")
        assert node.selection_set is not None
        plan = SelectionPlan(typename=named.name)
        for key, child in _collect(named, node.selection_set, fragments).items():
            plan.fields.append(self._field(named, key, child, fragments))
        return plan

    def _field(
        self,
        parent: GraphQLObjectType,
        key: str,
        node: FieldNode,
        fragments: dict[str, FragmentDefinitionNode],
    ) -> FieldPlan:
        name = node.name.value
        if name == "__typename":
            return FieldPlan(key=key, kind="typename")
        if name.startswith("__") or node.arguments:
            raise NotCompilable("introspection or arguments below the root")
        gql_field = parent.fields[name]
        definition: StrawberryField = gql_field.extensions["strawberry-definition"]
        named, depth, non_null = _unwrap(gql_field.type)
        sub = self._selection(named, node, fragments)
        common: dict[str, Any] = {
            "key": key,
            "attr": definition.python_name,
            "leaf": None if sub else _leaf_serialiser(named),
            "list_depth": depth,
            "non_null": non_null,
            "sub": sub,
        }
        metadata: dict[str, Any] = dict(definition.metadata or {})
        if "via" in metadata:
            return FieldPlan(kind="via", via=metadata["via"], **common)
        if "call" in metadata:
            return FieldPlan(kind="call", **{**common, "attr": metadata["call"]})
        if definition.base_resolver is not None:
            raise NotCompilable(f"{parent.name}.{name} has a resolver the planner cannot follow")
        return FieldPlan(kind="nested" if sub else "attr", **common)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) != 1:
            raise NotCompilable("several operations and no operation name")
        return operations[0]
    for op in operations:
        if op.name is not None and op.name.value == name:
            return op
    raise NotCompilable(f"no operation named {name}")


def _collect(
    parent: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> dict[str, FieldNode]:
    """Fields by response key, fragments flattened. Repeated keys and directives are left to
    strawberry (they need field merging or variable-dependent skipping)."""
    found: dict[str, FieldNode] = {}
    for selection in selection_set.selections:
        if selection.directives:
            raise NotCompilable("directives")
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            if key in found:
                raise NotCompilable("a repeated response key needs field merging")
            found[key] = selection
            continue
        if isinstance(selection, FragmentSpreadNode):
            fragment: FragmentDefinitionNode | InlineFragmentNode = fragments[selection.name.value]
        else:
            assert isinstance(selection, InlineFragmentNode)
            fragment = selection
        condition = fragment.type_condition
        if condition is not None and condition.name.value != parent.name:
            raise NotCompilable("fragments on other types")
        for key, node in _collect(parent, fragment.selection_set, fragments).items():
            if key in found:
                raise NotCompilable("a repeated response key needs field merging")
            found[key] = node
    return found
