"""The registry's word search on PostgreSQL: a trigram GIN index on the lower-cased search
text (sbsh.registry.publications_search uses ILIKE per word). SQLite scans."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS publication_search_trgm ON sbsh_publication USING gin (search_text gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS publication_search_trgm"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("sbsh", "0004_registry")]
    operations = [migrations.RunPython(forward, backward)]
