"""Thin django-q2 entry points. Business logic lives in the sync package, not here."""


def ping() -> str:
    """A no-op task: proves a cluster picks up work (smoke tests, health checks)."""
    return "pong"
