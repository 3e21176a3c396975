"""``webshops.for_connection`` with real WebshopConnection rows (secrets decrypted on access)."""

from __future__ import annotations

import pytest

from integration import webshops
from integration.models import WebshopConnection
from integration.webshops.base import InsecureURL, NotSupported
from integration.webshops.woocommerce import WooCommerce


@pytest.mark.django_db
def test_woocommerce_connection(sb, key, tenant_a):
    connection = tenant_a.webshop_connection
    connection.base_url = sb.url
    connection.api_key, connection.api_secret = key
    connection.save()
    connection = WebshopConnection.objects.get(pk=connection.pk)
    shop = webshops.for_connection(connection)
    assert isinstance(shop, WooCommerce)
    assert shop.test_connection().currency == "EUR"


@pytest.mark.django_db
def test_plain_http_to_a_public_host_is_refused(tenant_a):
    shop = webshops.for_connection(tenant_a.webshop_connection)  # http://shop-a.example.fi
    with pytest.raises(InsecureURL):
        shop.test_connection()
    assert shop.client.requests_made == 0


@pytest.mark.django_db
def test_visma_webshop_is_not_supported(tenant_a):
    connection = tenant_a.webshop_connection
    connection.platform = WebshopConnection.Platform.VISMA_WEBSHOP
    connection.base_url = ""
    connection.save()
    with pytest.raises(NotSupported, match="eAccounting"):
        webshops.for_connection(connection)
