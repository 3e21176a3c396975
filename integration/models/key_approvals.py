"""Pending shop approvals: one per press of *Connect webshop*, used at most once.

WooCommerce's key approval carries the nonce as the authorize URL's ``user_id``; Shopify's app
install as its ``state``. Either travels through the shop (browser history, the shop's logs): only
its SHA-256 is stored, and the callback consumes it. ``platform`` keeps one platform's callback
from using the other's attempt.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .tenancy import Tenant


class KeyApproval(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="key_approvals")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    nonce_hash = models.CharField(max_length=64, unique=True, editable=False)
    shop_url = models.URLField("shop URL")
    platform = models.CharField(max_length=20, default="woocommerce", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("shop key approval")
        verbose_name_plural = _("shop key approvals")

    def __str__(self):
        return f"Key approval for {self.tenant} started by {self.started_by}"
