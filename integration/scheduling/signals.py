"""Model signals: a deleted tenant leaves no schedules behind."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from integration.models import Tenant
from integration.scheduling import schedules


@receiver(post_delete, sender=Tenant)
def remove_schedules(sender, instance, **kwargs):
    schedules.remove(instance.pk)
