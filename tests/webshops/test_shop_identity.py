"""One company per shop, by the shop's canonical identity rather than the address's text."""

import pytest

from integration.models import WebshopConnection
from integration.webshops import setup as webshop_setup
from integration.webshops.identity import shop_identity


@pytest.mark.parametrize(
    "spelling",
    [
        "https://shop.example.fi",
        "https://SHOP.example.fi/",
        "https://www.shop.example.fi",
        "https://shop.example.fi.",
        "https://shop.example.fi:443",
        "https://Www.Shop.Example.Fi.:443/",
    ],
)
def test_spellings_of_one_shop_have_one_identity(spelling):
    assert shop_identity(spelling) == "https://shop.example.fi"


@pytest.mark.parametrize(
    "spelling",
    [
        "http://127.0.0.1:8102",
        "http://localhost:8102",
        "http://LOCALHOST.:8102/",
        "http://[::1]:8102",
        "http://127.0.0.2:8102",
        "http://2130706433:8102",
        "http://[::ffff:127.0.0.1]:8102",
    ],
)
def test_loopback_names_are_one_host(spelling):
    assert shop_identity(spelling) == "http://127.0.0.1:8102"


@pytest.mark.parametrize(
    "a, b",
    [
        ("https://shop.example.fi", "http://shop.example.fi"),  # the scheme is kept
        ("https://shop.example.fi", "https://shop.example.fi:8443"),
        ("https://shop.example.fi", "https://shop.example.fi/kauppa"),
        ("https://shop.example.fi", "https://othershop.example.fi"),
    ],
)
def test_different_shops_differ(a, b):
    assert shop_identity(a) != shop_identity(b)


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", ["https://www.shop-a.example.fi", "https://SHOP-A.example.fi.:443/"])
def test_another_company_cannot_connect_the_same_shop_spelled_differently(
    tenant_a, tenant_b, spelling, settings
):
    settings.WEBSHOP_ALLOW_HTTP_HOSTS = []
    WebshopConnection.objects.filter(tenant=tenant_a).update(
        base_url="https://shop-a.example.fi", shop_identity="https://shop-a.example.fi"
    )
    with pytest.raises(webshop_setup.SetupRefused, match="already connected to another company"):
        webshop_setup.check_shop_url(tenant_b, spelling)
    connection = tenant_b.webshop_connection
    connection.base_url = spelling
    with pytest.raises(Exception, match="already connected to another"):
        connection.full_clean()


@pytest.mark.django_db
def test_localhost_and_127_0_0_1_are_one_shop(tenant_a, tenant_b):
    a = tenant_a.webshop_connection
    a.base_url = "http://127.0.0.1:8102"
    a.save()
    b = tenant_b.webshop_connection
    with pytest.raises(webshop_setup.SetupRefused, match="already connected to another company"):
        webshop_setup.check_shop_url(tenant_b, "http://localhost:8102")
    b.base_url = "http://localhost:8102"
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        b.save()
