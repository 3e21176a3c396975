# Offboarding (issue #10): installation-level audit entries (a deleted tenant's), two new actions.
# Depends on the leaf at the time of writing so `migrate` keeps working in the shared tree; the lead re-chains.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('integration', '0012_visma_webshop'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='tenant',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='audit_entries', to='integration.tenant'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('connected_eaccounting', 'Connected eAccounting'), ('connected_webshop', 'Connected the webshop'), ('activated', 'Activated the integration'), ('applied_availability', 'Applied the Available in Webshop rules'), ('released_availability', 'Let the rules decide hand-changed articles again'), ('switched_conversion', 'Switched webshop order conversion'), ('deactivated', 'Deactivated the integration'), ('revoked_eaccounting', 'Revoked the eAccounting tokens'), ('deleted_tenant', 'Deleted the company from Silta'), ('applied_first_sync', 'Applied the first sync'), ('confirmed_overwrites', 'Confirmed overwrites'), ('undid_import', 'Undid the first-sync import'), ('confirmed_mass_change', 'Confirmed a mass price change'), ('added', 'Added a setting'), ('changed', 'Changed a setting'), ('deleted', 'Deleted a setting'), ('retried', 'Retried'), ('erased_personal_data', "Erased a customer's personal data"), ('invited', 'Invited a colleague'), ('accepted_invitation', 'Accepted an invitation'), ('revoked_invitation', 'Withdrew an invitation'), ('changed_role', "Changed a member's role"), ('removed_member', 'Removed a member')], max_length=30),
        ),
    ]
