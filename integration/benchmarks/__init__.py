"""Benchmarks against the sandboxes, run by `manage.py benchmark <scenario>`: they print figures."""
