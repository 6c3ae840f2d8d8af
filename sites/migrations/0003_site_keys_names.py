import uuid

from django.db import migrations, models

import sites.ids


def fill_existing_sites(apps, schema_editor):
    """Every site, however it was created, gets an id, a site key and a name."""
    Site = apps.get_model("analytics_sites", "Site")
    for site in Site.objects.all().only("pk", "domain"):
        Site.objects.filter(pk=site.pk).update(
            uuid=uuid.uuid4(), site_key=sites.ids.new_site_key(), name=site.domain
        )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics_sites", "0002_claims_tracker_goals_invitations"),
    ]

    operations = [
        migrations.AddField(
            model_name="site", name="uuid", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.AddField(
            model_name="site",
            name="site_key",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.AddField(
            model_name="site", name="name", field=models.CharField(max_length=255, default="")
        ),
        migrations.AddField(
            model_name="site",
            name="public_stats",
            field=models.BooleanField(
                default=False, help_text="The share page opens without a shared-link slug."
            ),
        ),
        migrations.RunPython(fill_existing_sites, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="site",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="site",
            name="site_key",
            field=models.CharField(
                default=sites.ids.new_site_key, editable=False, max_length=32, unique=True
            ),
        ),
        migrations.AlterField(
            model_name="site", name="name", field=models.CharField(max_length=255)
        ),
    ]
