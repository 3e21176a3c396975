"""``python -m sandbox.shopify`` starts a store that answers, as the demo will run it."""

import subprocess
import sys

import pytest
import requests

from tests.fixtures.processes import free_port, stop, wait_for


@pytest.mark.slow
def test_the_sandbox_runs_as_a_program():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox.shopify",
            "--port",
            str(port),
            "--seed",
            "--products",
            "5",
            "--orders",
            "2",
            "--token",
            "shpat_demo",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/admin/api/2026-01/graphql.json"

        def answers():
            try:
                return requests.post(
                    url,
                    json={"query": "{ shop { name } }"},
                    headers={"X-Shopify-Access-Token": "shpat_demo"},
                    timeout=2,
                )
            except requests.ConnectionError:
                return None

        r = wait_for(answers, timeout=30)
        assert r.status_code == 200 and r.json()["data"]["shop"]["name"] == "Silta Sandbox"
        count = requests.get(f"http://127.0.0.1:{port}/_sandbox/", timeout=5).json()
        assert count["products"] == 5 and count["orders"] == 2
    finally:
        stop(process)
