"""Tests of the optimiser (sandan.matching): no database needed."""
