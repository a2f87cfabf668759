"""The pieces of the abuse limits on their own: token buckets, the byte-bounded cache and the
query cost rules (no database needed)."""

from __future__ import annotations

from graphql import parse

from sandan.bounded_cache import BoundedCache
from sandan.ratelimit import RateLimiter, retry_after
from sandan.schema.build import build_schema
from sandan.schema.cost import PageRules, query_cost

SCHEMA = build_schema()._schema
PAGES = PageRules(default_page_size=20, max_page_size=100)


def cost(query: str, variables: dict[str, object] | None = None) -> int:
    return query_cost(SCHEMA, parse(query), None, variables, PAGES)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_refills_at_its_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("a")
    assert wait == 0.5 and retry_after(wait) == "1"
    clock.now = 0.5
    assert limiter.take("a") == 0.0
    assert limiter.take("b") == 0.0  # another caller has its own bucket


def test_buckets_are_bounded_and_the_idle_go_first() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=0.01, burst=1, max_buckets=100, clock=clock)
    limiter.take("busy")
    for i in range(1_000):
        clock.now += 0.001
        limiter.take(f"caller {i}")
        if i % 50 == 0:
            limiter.take("busy")
    assert len(limiter) == 100
    assert limiter.take("busy") > 0  # recently seen: still tracked and still empty


def test_the_cache_is_bounded_by_bytes() -> None:
    cache: BoundedCache[str, str] = BoundedCache(max_bytes=1_000)
    cache.put("a", "A", 400)
    cache.put("b", "B", 400)
    assert cache.get("a") == "A"  # now the most recent
    cache.put("c", "C", 400)
    assert "b" not in cache and cache.get("a") == "A" and cache.bytes == 800
    cache.put("huge", "H", 5_000)
    assert "huge" not in cache and cache.bytes == 800


def test_cost_counts_pages_lists_aliases_and_levels() -> None:
    # A village has ~8 branches, a branch ~3 groups, a group ~12 members.
    village = (
        "cells(level: VILLAGE, first: 10) { nodes { children { children { people { name } } } } }"
    )
    one = cost("{ " + village + " }")
    assert one == 1 + 10 * (1 + 8 * (1 + 3 * (1 + 12)))
    assert cost("{ a: " + village + " b: " + village + " }") == 2 * one
    assert cost("query($n: Int) { " + village.replace("10", "$n") + " }", {"n": 10}) == one
    # `first` above the maximum page counts as the maximum (the resolver refuses it anyway).
    assert cost("{ needs(first: 5000) { nodes { id } } }") == 1 + 100
    # Only 7 towns exist, whatever the page.
    assert cost("{ cells(level: TOWN, first: 100) { nodes { name } } }") == 1 + 7
    # A repeated scalar under another alias costs per object.
    plain = cost("{ needs(first: 100) { nodes { title description } } }")
    aliased = cost("{ needs(first: 100) { nodes { title a: title b: title } } }")
    assert plain == 101 and aliased == 1 + 100 * 3
