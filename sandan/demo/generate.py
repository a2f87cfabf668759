"""generate(scale, seed): the whole demo data set, deterministic by seed."""

from __future__ import annotations

import random

from sandan.demo.data import DemoData
from sandan.demo.deeds import build_deeds
from sandan.demo.grid import build_grid
from sandan.demo.lifecycle import build_lifecycle
from sandan.demo.lists import build_needs, build_resources
from sandan.demo.population import build_population
from sandan.demo.scales import SCALES


def generate(scale: str = "town", seed: int = 2026) -> DemoData:
    """Rows for `scale` ("tiny", "town" or "district"); the same seed always gives the same rows."""
    try:
        spec = SCALES[scale]
    except KeyError:
        raise ValueError(
            f"unknown demo scale {scale!r}; expected one of {sorted(SCALES)}"
        ) from None
    # One generator threaded through every step, in a fixed order: no global random state.
    rng = random.Random(seed)
    data = DemoData()
    grid = build_grid(rng, spec, data)
    population = build_population(rng, spec, grid, data)
    build_resources(rng, spec, grid, population, data)
    build_needs(rng, spec, grid, population, data)
    build_deeds(rng, spec, grid, population, data)
    build_lifecycle(rng, data)
    return data
