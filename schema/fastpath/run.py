"""Running a plan: one loader batch per field per level, results built as plain dicts."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ParamSpec

import orjson
from graphql import GraphQLSchema
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import convert_arguments

from sandan.db.json_reads import fetch_json
from sandan.schema.context import Context
from sandan.schema.fastpath.pages import answer_page
from sandan.schema.fastpath.plan import FieldPlan, Plan, RootPlan, SelectionPlan
from sandan.schema.ids import BadGlobalId, from_global_id

P = ParamSpec("P")


class Bail(Exception):
    """Something only the full executor reports properly (an error, a null where a value is
    required): the caller runs the request through strawberry instead."""


@dataclass(frozen=True)
class _Info:
    # Root resolvers read nothing but the context from their info.
    context: Context


def _bails(
    run: Callable[P, Awaitable[dict[str, Any]]],
) -> Callable[P, Awaitable[dict[str, Any]]]:
    """Anything but a Bail raised on the planned path becomes a Bail: strawberry then answers
    (and masks and logs unexpected exceptions)."""

    @functools.wraps(run)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        try:
            return await run(*args, **kwargs)
        except Bail:
            raise
        except Exception as e:
            raise Bail(f"{type(e).__name__} on the planned path") from e

    return guarded


@_bails
async def execute(
    plan: Plan,
    schema: GraphQLSchema,
    scalar_registry: Mapping[object, Any],
    config: StrawberryConfig,
    context: Context,
    variables: dict[str, Any] | None,
) -> dict[str, Any]:
    """The `data` of the response; raises Bail on anything strawberry must answer instead."""
    coerced = get_variable_values(
        schema, plan.operation.variable_definitions or (), variables or {}
    )
    if isinstance(coerced, list):
        raise Bail("variables")
    info = _Info(context)
    data: dict[str, Any] = {}
    for root in plan.roots:
        raw_args = get_argument_values(root.gql_field, root.field_node, coerced)
        kwargs = convert_arguments(
            raw_args,
            root.strawberry_field.arguments,
            scalar_registry=scalar_registry,
            config=config,
        )
        if root.json_queries:
            data[root.key] = await _json_root(root, kwargs, context)
            continue
        if root.json_page is not None:
            data[root.key] = await answer_page(root, root.json_page, kwargs, context)
            continue
        resolver = root.strawberry_field.base_resolver
        assert resolver is not None
        resolve: Any = resolver.wrapped_func
        value = await resolve(None, info, **kwargs)
        if value is None:
            if root.non_null:
                raise Bail("null root")
            data[root.key] = None
        elif root.sub is None:
            data[root.key] = _leaf(value, root.leaf, root.list_depth)
        elif root.list_depth:
            data[root.key] = await _complete(root.sub, list(value), context)
        else:
            data[root.key] = (await _complete(root.sub, [value], context))[0]
    return data


async def _json_root(root: RootPlan, kwargs: dict[str, Any], context: Context) -> Any:
    """The root built by PostgreSQL, embedded as it is. Arguments the resolver would reject
    (none or several, a bad id) go to strawberry, which reports them."""
    given = [(name, value) for name, value in kwargs.items() if value is not None]
    if len(given) != 1 or given[0][0] not in root.json_queries:
        raise Bail("arguments")
    argument, key = given[0]
    if argument == "id":
        try:
            _, key = from_global_id(key, expect=root.sub.typename if root.sub else None)
        except BadGlobalId as e:
            raise Bail("bad id") from e
    viewer = context.viewer
    text = await fetch_json(
        context.read_engine, root.json_queries[argument], key, viewer.read, viewer.personal
    )
    if text is None and root.non_null:
        raise Bail("null root")
    return None if text is None else orjson.Fragment(text)


def _leaf(value: Any, leaf: Any, list_depth: int) -> Any:
    if value is None or leaf is None:
        return value
    if list_depth:
        return [leaf(v) for v in value]
    return leaf(value)


async def _complete(
    plan: SelectionPlan, objects: list[Any], context: Context
) -> list[dict[str, Any]]:
    """The result dicts of `objects`, all of one type. Plain fields are copied at once; the
    nested fields of this level then load concurrently (their keys were put in place first,
    so the response keeps the order of the selection)."""
    results: list[dict[str, Any]] = [{} for _ in objects]
    nested: list[FieldPlan] = []
    for f in plan.fields:
        key = f.key
        if f.kind == "attr":
            leaf, attr = f.leaf, f.attr
            if leaf is None:
                for result, obj in zip(results, objects, strict=True):
                    result[key] = getattr(obj, attr)
            else:
                for result, obj in zip(results, objects, strict=True):
                    result[key] = _leaf(getattr(obj, attr), leaf, f.list_depth)
        elif f.kind == "typename":
            for result in results:
                result[key] = plan.typename
        else:
            for result in results:
                result[key] = None
            nested.append(f)
    if len(nested) == 1:
        await _load_and_fill(nested[0], objects, results, context)
    elif nested:
        await asyncio.gather(*(_load_and_fill(f, objects, results, context) for f in nested))
    return results


async def _load_and_fill(
    f: FieldPlan, objects: list[Any], results: list[dict[str, Any]], context: Context
) -> None:
    await _fill(f, results, await _values(f, objects, context), context)


async def _values(f: FieldPlan, objects: list[Any], context: Context) -> list[Any]:
    if f.kind == "nested":
        return [getattr(obj, f.attr) for obj in objects]
    if f.kind == "call":
        return [await getattr(obj, f.attr)() for obj in objects]
    assert f.via is not None
    loader_name, key_attr, mode = f.via
    loader = getattr(context.loaders, loader_name)
    keys = [getattr(obj, key_attr) for obj in objects]
    if mode == "many":
        flat = [k for ks in keys if ks is not None for k in ks]
        loaded = iter(await loader.load_many(flat))
        return [
            None if ks is None else [v for v in (next(loaded) for _ in ks) if v is not None]
            for ks in keys
        ]
    present = [k for k in keys if k is not None]
    loaded_one = iter(await loader.load_many(present))
    return [None if k is None else next(loaded_one) for k in keys]


async def _fill(
    f: FieldPlan, results: list[dict[str, Any]], values: list[Any], context: Context
) -> None:
    key = f.key
    if f.sub is None:
        for result, value in zip(results, values, strict=True):
            if value is None and f.non_null:
                raise Bail(f"null for non-null {key}")
            result[key] = _leaf(value, f.leaf, f.list_depth)
        return
    if f.list_depth:
        # Complete every list of this level in one go, then hand the slices back.
        flat: list[Any] = []
        spans: list[tuple[int, int] | None] = []
        for value in values:
            if value is None:
                if f.non_null:
                    raise Bail(f"null for non-null {key}")
                spans.append(None)
                continue
            start = len(flat)
            flat.extend(value)
            spans.append((start, len(flat)))
        done = await _complete(f.sub, flat, context)
        for result, span in zip(results, spans, strict=True):
            result[key] = None if span is None else done[span[0] : span[1]]
        return
    present = [v for v in values if v is not None]
    if f.non_null and len(present) != len(values):
        raise Bail(f"null for non-null {key}")
    completed = iter(await _complete(f.sub, present, context))
    for result, value in zip(results, values, strict=True):
        result[key] = None if value is None else next(completed)
