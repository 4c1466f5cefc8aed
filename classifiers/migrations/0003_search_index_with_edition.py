"""One GIN index over (edition_id, search_text) so that a word search within an edition
is answered from a single index: with the trigram index alone, PostgreSQL preferred the
edition index and filtered 14,000 NKZ rows by LIKE (docs/benchmarks.md). btree_gin lets
a GIN index hold the integer column; both extensions are trusted (no superuser needed)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "DROP INDEX IF EXISTS node_search_trgm",
    "CREATE INDEX IF NOT EXISTS node_edition_search_trgm ON classifiers_node USING gin (edition_id, search_text gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS node_edition_search_trgm",
    "CREATE INDEX IF NOT EXISTS node_search_trgm ON classifiers_node USING gin (search_text gin_trgm_ops)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("classifiers", "0002_postgres_search_indexes")]
    operations = [migrations.RunPython(forward, backward)]
