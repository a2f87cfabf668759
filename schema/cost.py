"""Query cost: how many objects a document may return, computed from the document alone.

Like GitHub's node limit and Shopify's cost points, every object a query can return counts 1
and a list multiplies what is below it by its size: a connection's `edges`/`nodes` by its page
size (`first`, or the default page), a plain list field by an estimate of its length measured
on the district demo (all of Nanhai). Scalars are free, except that a scalar asked again under
another alias costs 1 per object; the response cap bounds the rest. Aliases and fragments
count every time they appear, so three aliases of a list cost three times one.

A cell's lists depend on its level (a town has ~42 villages, a group ~12 members and ~56
households), so the walk follows the level down `children` and `parent` and, where a query
cannot say which level it is at (`cell(code:)`, a person's cell), takes the dearest level.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
    value_from_ast_untyped,
)
from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from strawberry.extensions import SchemaExtension

LEVELS = ("DISTRICT", "TOWN", "VILLAGE", "BRANCH", "GROUP")

# Length of a cell's list per level of the cell (DISTRICT … GROUP): the mean over the cells
# that have any, rounded up, on `sandan demo --scale district` (7,473 cells, 56,297 people,
# 279,723 households, 9,479 resources, 20,134 needs). Never below 1, so data that grows where
# the demo has none still costs something.
CELL_LISTS: dict[str, tuple[int, ...]] = {
    "children": (7, 42, 8, 3, 1),
    "people": (1, 1, 1, 1, 12),
    "households": (1, 1, 1, 1, 56),
    "resources": (1, 168, 7, 3, 2),
    # Needs and deeds of a branch: its own, and for callers outside its groups' scope its 3
    # groups' too, which they see at the branch (sandan.db.place): 4 + 3 × 3 and 2 + 3 × 2,
    # derived from the measured figures.
    "needs": (1, 1, 3, 13, 3),
    "deeds": (2, 2, 2, 8, 2),
    "ancestors": (1, 1, 2, 3, 4),
}
# How many cells each level holds: a page of `cells(level: X)` cannot be longer.
CELLS_PER_LEVEL = (1, 7, 290, 2123, 5052)

# Other lists (type, field) -> length: maxima on the district demo where they are small.
OTHER_LISTS: dict[tuple[str, str], int] = {
    ("Deed", "team"): 5,
    ("Deed", "resources"): 3,
    ("Deed", "milestones"): 4,
    ("Household", "visits"): 3,
    ("Need", "resourceRequests"): 3,
    ("CellStats", "deedsByStatus"): 5,
    # One entry per organisation with a claim on the deed: at most its team's size.
    ("ProgressReport", "partnerContributions"): 5,
}
# A list field in none of the tables (a new one) costs this much until it is measured.
UNKNOWN_LIST = 50
PAGE_FIELDS = ("edges", "nodes")


@dataclass(frozen=True)
class PageRules:
    default_page_size: int
    max_page_size: int


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    pages: PageRules,
) -> int:
    """The objects the operation may return (0 if the document names no such operation:
    validation reports that)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return 0
    operation = operations[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    defaults = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    walk = _Walk(schema, fragments, {**defaults, **(variables or {})}, pages)
    return walk.selection(root, operation.selection_set, None, 0)


def uses_variables_for_size(document: DocumentNode) -> bool:
    """Whether a `first` or `level` argument anywhere is a variable: then the cost depends on
    the request's variables and cannot be cached with the document."""
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode):
            for arg in node.arguments or ():
                if arg.name.value in ("first", "level") and isinstance(arg.value, VariableNode):
                    return True
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return False


def too_costly(cost: int, limit: int, role: str) -> GraphQLError:
    return GraphQLError(
        f"This query may return about {cost} objects; the limit for the {role} is {limit}. "
        "Ask for smaller pages (`first`), fewer nested lists or fewer aliases.",
        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": limit},
    )


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        pages: PageRules,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.pages = pages
        # (selection set, level, page) -> cost: the dearest-level search revisits them.
        self.memo: dict[tuple[int, int | None, int], int] = {}

    def selection(
        self, parent: GraphQLNamedType, selections: SelectionSetNode, level: int | None, page: int
    ) -> int:
        if parent.name == "Cell" and level is None:
            return max(self.selection(parent, selections, lvl, page) for lvl in range(5))
        key = (id(selections), level, page)
        if key not in self.memo:
            self.memo[key] = self._selection(parent, selections, level, page)
        return self.memo[key]

    def _selection(
        self, parent: GraphQLNamedType, selections: SelectionSetNode, level: int | None, page: int
    ) -> int:
        total = 0
        scalars: set[str] = set()
        for node in selections.selections:
            if isinstance(node, FieldNode):
                if node.selection_set is None:
                    # A scalar is free once; each alias repeating it costs like an object, or
                    # `a1: description … a30: description` would multiply bytes for nothing.
                    total += node.name.value in scalars
                    scalars.add(node.name.value)
                    continue
                total += self.field(parent, node, level, page)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    on = fragment.type_condition.name.value
                    total += self.fragment(parent, on, fragment, level, page)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else None
                total += self.fragment(parent, condition, node, level, page)
        return total

    def fragment(
        self,
        parent: GraphQLNamedType,
        condition: str | None,
        node: FragmentDefinitionNode | InlineFragmentNode,
        level: int | None,
        page: int,
    ) -> int:
        # A fragment on another type (`... on Deed` under `node`) is costed as that type; the
        # sum over fragments of an interface overestimates, never underestimates.
        target = parent
        if condition is not None and condition != parent.name:
            target = self.schema.get_type(condition) or parent
            level = None
        return self.selection(target, node.selection_set, level, page)

    def field(self, parent: GraphQLNamedType, node: FieldNode, level: int | None, page: int) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, GraphQLObjectType):
            return 1 if name in ("__schema", "__type") else 0  # bounded by the schema itself
        definition = parent.fields.get(name)
        if definition is None or node.selection_set is None:
            return 0  # scalars, enums (and unknown fields: validation reports those)
        named = get_named_type(definition.type)
        inner = definition.type.of_type if is_non_null_type(definition.type) else definition.type
        count = self._length(parent.name, name, level, page) if is_list_type(inner) else 1
        child_level = self._child_level(parent.name, name, node, level)
        child_page = self._page(node, child_level) if named.name.endswith("Connection") else 0
        return count * (1 + self.selection(named, node.selection_set, child_level, child_page))

    def _length(self, parent: str, name: str, level: int | None, page: int) -> int:
        if parent.endswith("Connection") and name in PAGE_FIELDS:
            return page
        if parent == "Cell" and name in CELL_LISTS:
            assert level is not None  # `selection` fixes the level of every Cell
            return CELL_LISTS[name][level]
        return OTHER_LISTS.get((parent, name), UNKNOWN_LIST)

    def _child_level(
        self, parent: str, name: str, node: FieldNode, level: int | None
    ) -> int | None:
        if parent == "Cell" and level is not None:
            if name == "children":
                return min(level + 1, len(LEVELS) - 1)
            if name == "parent":
                return max(level - 1, 0)
        if parent.endswith(("Connection", "Edge")):
            return level  # a page of cells of a level: its nodes are of that level
        if parent == "Query" and name == "cells":
            named_level = self._argument(node, "level")
            if isinstance(named_level, str) and named_level in LEVELS:
                return LEVELS.index(named_level)
        return None

    def _page(self, node: FieldNode, level: int | None) -> int:
        first = self._argument(node, "first")
        size = first if isinstance(first, int) and first >= 0 else self.pages.default_page_size
        size = min(size, self.pages.max_page_size)  # beyond it the resolver refuses anyway
        if node.name.value == "cells" and level is not None:
            size = min(size, CELLS_PER_LEVEL[level])
        return size

    def _argument(self, node: FieldNode, name: str) -> Any:
        for arg in node.arguments or ():
            if arg.name.value == name:
                return value_from_ast_untyped(arg.value, dict(self.variables))
        return None


class QueryCostLimiter(SchemaExtension):
    """The cost check inside strawberry, for execution that does not come through
    sandan.guard (which refuses over-budget documents first on HTTP): an over-budget operation
    gets the same error and no resolver runs."""

    def __init__(self, public_budget: int, staff_budget: int, pages: PageRules) -> None:
        self.budgets = {False: public_budget, True: staff_budget}
        self.pages = pages

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        viewer = getattr(context.context, "viewer", None)
        staff = bool(getattr(viewer, "staff", False))
        document = context.graphql_document
        if document is not None:
            schema = context.schema._schema
            cost = query_cost(
                schema, document, context.operation_name, context.variables, self.pages
            )
            limit = self.budgets[staff]
            if cost > limit:
                error = too_costly(cost, limit, "staff" if staff else "public")
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield
