"""Tests of the demo data generator (sandan.demo) and the bulk loader (sandan.db.bulk)."""
