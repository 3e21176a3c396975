"""Re-encrypt every stored secret with the newest key in SILTA_ENCRYPTION_KEYS."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from integration.fields import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt all secrets with the first key of SILTA_ENCRYPTION_KEYS. Run after "
        "putting a new key first; drop the old key only once this has finished."
    )

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            names = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not names:
                continue
            count = 0
            for pk in model._default_manager.values_list("pk", flat=True).iterator():
                # Row lock: a token refresh running meanwhile must not be overwritten.
                with transaction.atomic():
                    obj = model._default_manager.select_for_update().get(pk=pk)
                    values = {name: getattr(obj, name) for name in names}
                    model._default_manager.filter(pk=pk).update(**values)  # encrypts with the newest key
                count += 1
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
            total += count
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows."))
