# Invitations (issue #10): a hashed single-use token per invitation; audit actions for people changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('integration', '0010_audit_trail'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='e-mail')),
                ('role', models.CharField(choices=[('owner', 'Owner'), ('member', 'Member')], default='member', max_length=10)),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('accepted_at', models.DateTimeField(blank=True, null=True)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('tenant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='integration.tenant')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['tenant', 'email'], name='integration_tenant__88921e_idx')],
            },
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('connected_eaccounting', 'Connected eAccounting'), ('connected_webshop', 'Connected the webshop'), ('activated', 'Activated the integration'), ('deactivated', 'Deactivated the integration'), ('applied_first_sync', 'Applied the first sync'), ('confirmed_overwrites', 'Confirmed overwrites'), ('undid_import', 'Undid the first-sync import'), ('confirmed_mass_change', 'Confirmed a mass price change'), ('added', 'Added a setting'), ('changed', 'Changed a setting'), ('deleted', 'Deleted a setting'), ('retried', 'Retried'), ('invited', 'Invited a colleague'), ('accepted_invitation', 'Accepted an invitation'), ('revoked_invitation', 'Withdrew an invitation'), ('changed_role', "Changed a member's role"), ('removed_member', 'Removed a member')], max_length=30),
        ),
    ]
