"""Builds the Schema with its limits (depth, aliases, tokens) and error masking."""

from __future__ import annotations

import strawberry
from graphql.validation import ASTValidationRule
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig

from sandan.schema.query import Query
from sandan.schema.registry import NODE_TYPES
from sandan.settings import Settings


def limit_rules(settings: Settings) -> tuple[type[ASTValidationRule], ...]:
    """The depth and alias limits as graphql-core rules, for the compiled read path."""
    rules: list[type[ASTValidationRule]] = []
    for limiter in (
        QueryDepthLimiter(max_depth=settings.max_query_depth),
        MaxAliasesLimiter(max_alias_count=settings.max_aliases),
    ):
        rules.extend(limiter.validation_rules)
    return tuple(rules)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    from sandan.schema.cost import PageRules, QueryCostLimiter
    from sandan.schema.errors import MaskUnexpectedErrors
    from sandan.schema.mutation import Mutation
    from sandan.schema.safe_errors import SafeErrorsSchema
    from sandan.schema.subscription import Subscription
    from sandan.schema.text_guard import RefuseControlCharacters

    return SafeErrorsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[entry.strawberry_type for entry in NODE_TYPES.values()],
        config=StrawberryConfig(auto_camel_case=True),
        extensions=[
            lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
            lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            MaskUnexpectedErrors,
            RefuseControlCharacters,
            lambda: QueryCostLimiter(
                settings.public_query_budget,
                settings.staff_query_budget,
                PageRules(settings.default_page_size, settings.max_page_size),
            ),
        ],
    )
