"""One sandbox server per test module: the module names it with SANDBOX (and SANDBOX_SETTINGS)."""

import pytest

from sandbox.eaccounting.testing import Sandbox as EAccountingSandbox
from sandbox.woocommerce.testing import Sandbox as WooCommerceSandbox

KINDS = {"eaccounting": EAccountingSandbox, "woocommerce": WooCommerceSandbox}


@pytest.fixture(scope="module")
def sb(request):
    server = KINDS[request.module.SANDBOX](getattr(request.module, "SANDBOX_SETTINGS", None))
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _eaccounting_contract(request):
    """eAccounting modules: a fresh state per test, and every /v2 response it caused checked server-side."""
    if getattr(request.module, "SANDBOX", None) != "eaccounting":
        yield
        return
    sb = request.getfixturevalue("sb")
    sb.app.reset()
    yield
    sb.assert_contract()
