"""Refuses control characters in the arguments of root fields before any resolver runs.

A NUL in a text made PostgreSQL refuse the statement ("Internal error.") and SQLite cut the
stored text at it; a text field or id of no operation has a use for NUL, escapes or unpaired
surrogates. The mutations of the engine (`resolvers/mutations/`) keep their own typed payload
errors for them (`INVALID` on the field) and are left to it; every other root field's arguments
are checked here, and a bad one is an `INVALID_ARGUMENT` error naming the argument, without
echoing the value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import ExecutionResult, FieldNode, GraphQLSchema, OperationDefinitionNode
from graphql.utilities import get_operation_ast, value_from_ast_untyped
from strawberry.extensions import SchemaExtension

from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.text import unprintable

# Resolvers whose arguments the mutation engine checks itself (schema/mutation.py adds them).
ENGINE_CHECKED: set[Callable[..., Any]] = set()


def _bad_path(value: Any, path: str) -> str | None:
    """The dotted path of the first string in `value` holding a control character."""
    if isinstance(value, str):
        return path if unprintable(value) else None
    if isinstance(value, Mapping):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _bad_path(item, f"{path}.{key}")
        if found is not None:
            return found
    return None


def _engine_checked(field_def: Any) -> bool:
    definition = field_def.extensions.get("strawberry-definition")
    resolver = getattr(definition, "base_resolver", None)
    return getattr(resolver, "wrapped_func", None) in ENGINE_CHECKED


def control_character_error(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
) -> QueryError | None:
    """The error for the first root-field argument holding a control character, if any."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    for node in operation.selection_set.selections:
        if not isinstance(node, FieldNode) or not node.arguments:
            continue
        field_def = root.fields.get(node.name.value)
        if field_def is None or _engine_checked(field_def):
            continue
        for argument in node.arguments:
            value = value_from_ast_untyped(argument.value, dict(variables))
            found = _bad_path(value, argument.name.value)
            if found is not None:
                return QueryError(
                    QueryErrorCode.INVALID_ARGUMENT,
                    found,
                    f"{found} holds a control character (NUL or another); remove it",
                )
    return None


class RefuseControlCharacters(SchemaExtension):
    """Answers an operation whose root-field arguments hold a control character with one
    `INVALID_ARGUMENT` error; no resolver runs."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None:
                error = control_character_error(
                    context.schema._schema, operation, context.variables or {}
                )
                if error is not None:
                    context.result = ExecutionResult(data=None, errors=[error])
        yield
