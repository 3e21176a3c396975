"""Production settings: refuse to start without secrets; `check --deploy` is clean."""

import os

import pytest
from django.db import connection

from tests.fixtures.processes import manage
from tests.fixtures.production import production_env


def test_test_suite_runs_on_postgresql():
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        assert connection.vendor == "postgresql"
    else:
        pytest.fail("DATABASE_URL does not point to PostgreSQL: run the suite with `make test`")


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(db):
    s = connection.settings_dict
    db_url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(DATABASE_URL=db_url))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


@pytest.mark.slow
@pytest.mark.parametrize("variable", ["SECRET_KEY", "ALLOWED_HOSTS", "SILTA_ENCRYPTION_KEYS"])
def test_refuses_to_start_without_a_production_secret(variable):
    result = manage("check", env=production_env(**{variable: None}))
    assert result.returncode != 0
    assert f"{variable} is not set" in result.stderr


@pytest.mark.slow
def test_refuses_the_shopify_sandbox_outside_debug():
    """A store's token must never go to a local stand-in in production."""
    result = manage("check", env=production_env(SHOPIFY_SANDBOX_URL="http://127.0.0.1:8103"))
    assert result.returncode != 0
    assert "SHOPIFY_SANDBOX_URL is for the demo and tests only" in result.stderr
