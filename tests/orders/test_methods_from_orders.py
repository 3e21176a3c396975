"""A delivery method the shop never listed (Shopify lists none to apps) is remembered from the order
that names it: the order waits for its template article, the owner finds the method on *Shop
methods*, gives it one, and the next run books the order."""

import pytest

from integration.models import OrderTransfer, ShopMethod
from integration.orders.outcomes import WaitReason
from integration.orders.transfer import transfer_orders

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("platform", ["shopify"])
def test_a_delivery_named_only_by_its_order_is_kept_and_takes_its_template(shop):
    assert not ShopMethod.objects.filter(tenant=shop.tenant, key="Matkahuolto").exists()
    order = shop.order([("A-255", 1)], shipping="Matkahuolto")

    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(tenant=shop.tenant, shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.WAITING
    assert [c["code"] for c in transfer.reason_codes] == [WaitReason.NO_TEMPLATE_ARTICLE]
    method = ShopMethod.objects.get(tenant=shop.tenant, kind="shipping", key="Matkahuolto")
    assert method.title == "Matkahuolto"

    shop.template("shipping", "Matkahuolto", "SHIP-255")  # what the owner does on Shop methods
    transfer_orders(shop.tenant)
    transfer.refresh_from_db()
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    assert ShopMethod.objects.filter(tenant=shop.tenant, key="Matkahuolto").count() == 1
