"""Tracking: every learning event as an xAPI statement, through ``record()``, with the progress projection."""
