"""Tests of the sync planners (pure: no database, no network)."""
