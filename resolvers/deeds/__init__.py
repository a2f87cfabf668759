"""The deed lifecycle: transitions, monthly reports, residents' feedback (issue #12)."""
