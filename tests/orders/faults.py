"""Running order transfers in child processes under injected faults, killing them mid-run."""

import os
import signal
import time

from ..conftest import database_url, manage, spawn

LEASE = 2  # seconds: how long a killed worker's claim blocks its order


def child_env(settings):
    return {
        **os.environ, "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "DJANGO_SETTINGS_MODULE": "tests.settings", "EACCOUNTING_API_URL": settings.EACCOUNTING_API_URL,
        "EACCOUNTING_IDENTITY_URL": settings.EACCOUNTING_IDENTITY_URL, "EACCOUNTING_RATE_LIMIT": "100000",
        "SILTA_ORDER_LEASE_SECONDS": str(LEASE), "SILTA_JOB_LEASE_SECONDS": str(LEASE),
        "WEBSHOP_TIMEOUT": "5", "EACCOUNTING_TIMEOUT": "5",
    }


def faults_on(shop, seed=7):
    """10 % 5xx, 5 % answers lost after the commit, and 429 bursts (more in a row than a request's
    attempts; each asks for a second's wait), on both sides."""
    shop.ea.control("PATCH", "settings", {"rate_limit": 100000, "rate_window": 1.0, "error_rate": 0.1,
                                          "drop_after_commit_rate": 0.05, "fault_seed": seed, "force_429": 8})
    shop.wc.control("POST", "/faults", {"error_rate": 0.1, "drop_after_write_rate": 0.05, "seed": seed,
                                        "rate_limit_burst": 3})


def faults_off(shop):
    shop.ea.control("PATCH", "settings", {"error_rate": 0, "drop_after_commit_rate": 0, "force_429": 0})
    shop.wc.control("POST", "/faults", {"error_rate": 0, "drop_after_write_rate": 0, "rate_limit_burst": 0})


def kill_when(args, env, progressed):
    """Run `manage.py <args>` (again, when a fault ended a run) until `progressed()`, then SIGKILL it."""
    process = spawn(*args, env=env)
    try:
        deadline = time.monotonic() + 120
        while not progressed():
            assert time.monotonic() < deadline, "the transfer made no progress"
            if process.poll() is not None:  # a run may end early under faults; the next one goes on
                process = spawn(*args, env=env)
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    time.sleep(LEASE + 0.5)  # the killed worker's claims and lease run out


def run_until(args, env, finished, runs=10, state=lambda: ""):
    """Runs to completion, as the schedule would, until `finished()`; `state()` says what is left."""
    for _ in range(runs):
        result = manage(*args, env=env)
        if finished():
            return
        time.sleep(LEASE + 0.5)
    raise AssertionError(f"not finished after {runs} runs: {state()}\n{result.stdout[-1500:]}{result.stderr[-1500:]}")
