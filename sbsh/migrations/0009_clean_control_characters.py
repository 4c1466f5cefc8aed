"""Data: remove control characters already stored in SQF content and classifier names
(issue 15: one U+000B in a Table 1 cell made the approved version's documents
impossible to render). Forms, the API and the importers refuse or normalise them from
now on (config/text.py); this cleans what came before. Nothing to undo."""

from django.db import migrations

SKIP = {"publication"}  # published content is frozen: its checksum is on record


def clean(apps, schema_editor):  # type: ignore[no-untyped-def]
    from config.text import clean_stored_text

    models = [
        m
        for label in ("sbsh", "classifiers")
        for m in apps.get_app_config(label).get_models()
        if m._meta.model_name not in SKIP
    ]
    clean_stored_text(models)


class Migration(migrations.Migration):
    dependencies = [
        ("sbsh", "0008_publication_search_gin"),
        ("classifiers", "0003_search_index_with_edition"),
    ]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop, elidable=True)]
