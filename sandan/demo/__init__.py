"""Deterministic demo data for a town modelled on 九江镇, or all of Nanhai.

Pure Python: `generate(scale, seed)` returns plain rows; `sandan.db.bulk.load` writes them.
"""

from sandan.demo.data import TABLE_ORDER, DemoData, Row
from sandan.demo.generate import generate
from sandan.demo.scales import SCALES

__all__ = ["SCALES", "TABLE_ORDER", "DemoData", "Row", "generate"]
