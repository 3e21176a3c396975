"""The claim over every kind of claimed work: one attempt at a time, fenced, resumable after a lease runs out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integration.models import OrderStep, OrderTransfer, WebshopOrderConversion
from integration.work import claim as claims
from integration.work.models import ClaimedWork, ClaimStatus


@pytest.fixture
def rows(tenant_a) -> list[ClaimedWork]:
    transfer = OrderTransfer.objects.create(tenant=tenant_a, shop_order_id=99001, shop_order_number="99001")
    step = OrderStep.objects.create(tenant=tenant_a, transfer=transfer, kind=OrderStep.Kind.INVOICE)
    conversion = WebshopOrderConversion.objects.create(tenant=tenant_a, webshop_order_id="w-99001")
    return [transfer, step, conversion]


def test_every_claimed_kind_inherits_the_one_set_of_claim_fields():
    for model in (OrderTransfer, OrderStep, WebshopOrderConversion):
        assert issubclass(model, ClaimedWork)
        assert model.Status is ClaimStatus
        for name in ("status", "attempts", "token", "lease_until", "sending_since"):
            assert model._meta.get_field(name).model is model  # inherited fields are the model's own columns


@pytest.mark.django_db
def test_a_claim_is_taken_once_and_fences_a_stale_holder(rows):
    for row in rows:
        first = claims.claim(row)
        assert first is not None and not first.resumed
        assert claims.claim(row) is None  # the same stale copy: its token has moved on
        row.refresh_from_db()
        assert (row.status, row.token, row.attempts) == (ClaimStatus.SENDING, 1, 1)
        assert claims.claim(row) is None  # sending, lease still running
        assert claims.finish(first, status=ClaimStatus.DONE)
        row.refresh_from_db()
        assert row.status == ClaimStatus.DONE and row.lease_until is None


@pytest.mark.django_db
def test_a_lease_run_out_is_resumed_and_the_old_holder_can_no_longer_finish(rows):
    for row in rows:
        first = claims.claim(row)
        type(row)._default_manager.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        row.refresh_from_db()
        second = claims.claim(row)
        assert second is not None and second.resumed  # look the document up before creating it again
        assert not claims.finish(first, status=ClaimStatus.DONE)
        assert claims.finish(second, status=ClaimStatus.WAITING, reason="Fix it")
        row.refresh_from_db()
        assert (row.status, row.attempts, row.token) == (ClaimStatus.WAITING, 2, 2)


@pytest.mark.django_db
def test_release_lets_the_next_attempt_start_at_once(rows):
    transfer = rows[0]
    claim = claims.claim(transfer)
    claims.release(claim)
    transfer.refresh_from_db()
    assert OrderTransfer.objects.filter(
        claims.to_retry(timezone.now() + timedelta(seconds=1)), pk=transfer.pk
    ).exists()
    assert claims.claim(transfer).resumed


@pytest.mark.django_db
def test_settle_unclaimed_leaves_a_row_being_sent_to_its_sender(rows):
    transfer = rows[0]
    assert (
        claims.settle_unclaimed(OrderTransfer.objects.filter(pk=transfer.pk), status=ClaimStatus.SKIPPED) == 1
    )
    OrderTransfer.objects.filter(pk=transfer.pk).update(status=ClaimStatus.SENDING)
    assert (
        claims.settle_unclaimed(OrderTransfer.objects.filter(pk=transfer.pk), status=ClaimStatus.SKIPPED) == 0
    )


@pytest.mark.django_db
def test_claim_and_finish_return_the_state_they_wrote_so_nobody_reads_the_row_again(rows):
    for row in rows:
        copy = type(row)._default_manager.get(pk=row.pk)
        taken = claims.claim(row)
        assert taken is not None
        taken.apply(row)
        copy.refresh_from_db()
        same = ("status", "token", "attempts", "lease_until", "sending_since")
        assert [getattr(row, f) for f in same] == [getattr(copy, f) for f in same]
        done = claims.finish(taken, status=ClaimStatus.DONE, reason="ok")
        assert done is not None and done.status == ClaimStatus.DONE
        done.apply(row)
        copy.refresh_from_db()
        assert [getattr(row, f) for f in (*same, "reason")] == [getattr(copy, f) for f in (*same, "reason")]
        assert claims.finish(taken, status=ClaimStatus.WAITING) is not None  # the token still holds
        stale = claims.Claim(type(row), row.pk, taken.token - 1, resumed=False)
        assert (
            claims.finish(stale, status=ClaimStatus.WAITING) is None
        )  # fenced: nothing written, nothing returned
