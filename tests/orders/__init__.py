"""Tests of the web-order planners (pure: no database, no network)."""
