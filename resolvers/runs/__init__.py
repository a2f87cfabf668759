"""Optimisation runs: starting and cancelling, the queue and its workers, writing answers,
and the staff's review of proposals."""
