"""The base of every per-request DataLoader: its dependencies (the read engine and the
viewer) and the two shapes, one object or a list of objects per key, each batch on its own
short connection, each row built by its type's `from_row`. The loaders themselves are in
`resolvers.loaders` and, for optimisation runs, `resolvers.runs.loaders`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record
from sandan.db.repositories.relations import RELATIONS, many_by_relation, one_by_relation
from sandan.schema.context import Viewer

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class LoaderDeps:
    read_engine: AsyncEngine  # autocommit: one round trip per batch (see sandan.db.reader)
    viewer: Viewer


class HasDeps:
    """What holds a request's loaders: its dependencies, from which each loader is made."""

    deps: LoaderDeps


class made_on_use(Generic[T]):  # lower case, like functools.cached_property
    """A loader of a request, made the first time the request asks for it.

    A request uses a handful of the ~35 loaders; making all of them up front cost 0.8 ms a
    request (a DataLoader sets up its cache and queue), about a sixth of a village read on the
    JSON path (profiled 2026-12-02). Made once per `Loaders` object: the first access stores the
    loader in the instance, which then shadows this descriptor. No await lies between making and
    storing, so concurrent resolvers of one request get the same loader.
    """

    def __init__(
        self, make: Callable[Concatenate[LoaderDeps, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> None:
        self.make = make
        self.args = args
        self.kwargs = kwargs
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, holder: None, owner: type) -> made_on_use[T]: ...

    @overload
    def __get__(self, holder: HasDeps, owner: type) -> T: ...

    def __get__(self, holder: HasDeps | None, owner: type) -> made_on_use[T] | T:
        if holder is None:
            return self
        loader = self.make(holder.deps, *self.args, **self.kwargs)
        holder.__dict__[self.name] = loader
        return loader


class BatchLoader(DataLoader[K, V], Generic[K, V]):
    """A loader of this request: `_batch` answers a batch of keys with `deps` (the read engine,
    a connection of its own per batch, and the viewer)."""

    def __init__(self, deps: LoaderDeps) -> None:
        super().__init__(load_fn=self._batch)
        self.deps = deps

    async def _batch(self, keys: list[K]) -> list[V]:
        raise NotImplementedError


class OneLoader(BatchLoader[K, V | None]):
    """Loads at most one object per key."""

    # The row type whose `from_row` builds each object (with the viewer, for its masks);
    # a loader of anything else overrides `build`.
    of: ClassVar[type[Any]]

    async def fetch(self, session: Reader, keys: Sequence[K]) -> dict[K, Record]:
        raise NotImplementedError

    def build(self, row: Record) -> V:
        built: V = self.of.from_row(row, self.deps.viewer)
        return built

    async def _batch(self, keys: list[K]) -> list[V | None]:
        async with self.deps.read_engine.connect() as session:
            rows = await self.fetch(session, keys)
        return [self.build(rows[k]) if k in rows else None for k in keys]


class ManyLoader(BatchLoader[K, list[V]]):
    """Loads a list of objects per key."""

    of: ClassVar[type[Any]]  # as in OneLoader

    async def fetch(self, session: Reader, keys: Sequence[K]) -> dict[K, list[Record]]:
        raise NotImplementedError

    def build(self, row: Record) -> V:
        built: V = self.of.from_row(row, self.deps.viewer)
        return built

    async def _batch(self, keys: list[K]) -> list[list[V]]:
        async with self.deps.read_engine.connect() as session:
            grouped = await self.fetch(session, keys)
        build = self.build
        return [[build(row) for row in grouped.get(k, ())] for k in keys]


# How a loader reads the rows of a batch: (connection, keys, viewer) -> rows by key (one row or
# a list of rows per key), in the viewer's scopes.
Read = Callable[[Reader, Sequence[Any], Viewer], Awaitable[Any]]


class OneBy(OneLoader[Any, V]):
    """One object of type `of` per key, its rows read by `read`."""

    def __init__(self, deps: LoaderDeps, of: type[V], read: Read) -> None:
        super().__init__(deps)
        self.row_type: type[Any] = of
        self.read = read

    async def fetch(self, session: Reader, keys: Sequence[Any]) -> dict[Any, Record]:
        rows: dict[Any, Record] = await self.read(session, keys, self.deps.viewer)
        return rows

    def build(self, row: Record) -> V:
        built: V = self.row_type.from_row(row, self.deps.viewer)
        return built


class ManyBy(ManyLoader[Any, V]):
    """The objects of type `of` of each key, their rows read by `read`."""

    def __init__(self, deps: LoaderDeps, of: type[V], read: Read) -> None:
        super().__init__(deps)
        self.row_type: type[Any] = of
        self.read = read

    async def fetch(self, session: Reader, keys: Sequence[Any]) -> dict[Any, list[Record]]:
        rows: dict[Any, list[Record]] = await self.read(session, keys, self.deps.viewer)
        return rows

    def build(self, row: Record) -> V:
        built: V = self.row_type.from_row(row, self.deps.viewer)
        return built


def one_related(relation: str) -> Read:
    """Read one row per key through `relation` of RELATIONS (the declaration the PostgreSQL
    JSON path writes as SQL too), in the viewer's read scope."""
    declared = RELATIONS[relation]
    return lambda session, keys, viewer: one_by_relation(session, declared, keys, viewer.read)


def many_related(relation: str) -> Read:
    """Read the rows of each key through `relation` of RELATIONS, in the viewer's read scope."""
    declared = RELATIONS[relation]
    return lambda session, keys, viewer: many_by_relation(session, declared, keys, viewer.read)


def in_read_scope(fetch: Callable[..., Awaitable[Any]]) -> Read:
    """Read with `fetch(connection, keys, read scope)`."""
    return lambda session, keys, viewer: fetch(session, keys, viewer.read)


def in_both_scopes(fetch: Callable[..., Awaitable[Any]]) -> Read:
    """Read with `fetch(connection, keys, read scope, personal scope)`."""
    return lambda session, keys, viewer: fetch(session, keys, viewer.read, viewer.personal)


def in_personal_scope(fetch: Callable[..., Awaitable[Any]]) -> Read:
    """Read with `fetch(connection, keys, personal scope)`."""
    return lambda session, keys, viewer: fetch(session, keys, viewer.personal)


def unscoped(fetch: Callable[..., Awaitable[Any]]) -> Read:
    """Read with `fetch(connection, keys)`: rows of objects the caller already reads (a deed's
    milestones, a household's visits)."""
    return lambda session, keys, viewer: fetch(session, keys)
