"""Every query document checked once before it runs: parsed (token cap), validated (depth,
aliases, and in production no introspection and no suggestions), and costed (schema.cost).

The HTTP layer (sandan.guard) refuses what fails here before any resolver or SQL runs, on both
read paths, and answers validation failures with the status codes of GraphQL over HTTP.
Results are cached by document text in a cache bounded by bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule, specified_rules
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from sandan.bounded_cache import BoundedCache, document_weight
from sandan.schema.build import limit_rules
from sandan.schema.cost import PageRules, query_cost, uses_variables_for_size
from sandan.schema.safe_errors import make_safe
from sandan.settings import Settings


@dataclass(frozen=True)
class CheckedDocument:
    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    operation: OperationType | None  # of the operation the request names
    cost: int | None  # None: it depends on the request's variables


class DocumentChecker:
    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self.settings = settings
        rules = [*specified_rules, *limit_rules(settings)]
        rules += [MaybeNullValidationRule, OneOfInputValidationRule]
        if settings.production:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self.pages = PageRules(settings.default_page_size, settings.max_page_size)
        self._cache: BoundedCache[tuple[str, str | None], CheckedDocument] = BoundedCache(
            settings.document_cache_bytes
        )

    def check(self, query: str, operation_name: str | None) -> CheckedDocument:
        key = (query, operation_name)
        checked = self._cache.get(key)
        if checked is None:
            checked = self._check(query, operation_name)
            self._cache.put(key, checked, document_weight(query))
        return checked

    def cost(
        self, checked: CheckedDocument, operation_name: str | None, variables: Mapping[str, Any]
    ) -> int:
        if checked.cost is not None:
            return checked.cost
        assert checked.document is not None
        return query_cost(self.schema, checked.document, operation_name, variables, self.pages)

    def _check(self, query: str, operation_name: str | None) -> CheckedDocument:
        hide = self.settings.production
        try:
            document = parse(query, max_tokens=self.settings.max_tokens)
        except GraphQLError as error:
            return CheckedDocument(None, (make_safe(error),), None, None)
        errors = validate(self.schema, document, self.rules, hide_suggestions=hide)
        if errors:
            return CheckedDocument(None, tuple(make_safe(e) for e in errors), None, None)
        operation = _operation(document, operation_name)
        if isinstance(operation, GraphQLError):
            return CheckedDocument(None, (operation,), None, None)
        cost = None
        if not uses_variables_for_size(document):
            cost = query_cost(self.schema, document, operation_name, None, self.pages)
        return CheckedDocument(document, (), operation.operation, cost)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | GraphQLError:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        if len(operations) == 1:
            return operations[0]
        return GraphQLError("The document holds several operations: name one (operationName).")
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    return GraphQLError(f"No operation named {name[:40]!r} in the document.")
