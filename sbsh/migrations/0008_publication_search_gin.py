"""The registry's word search on PostgreSQL reads a GIN index on the tsvector (the trigram
index on the raw text was left unused by the planner: the table is small in pages, its
text large and stored out of line, so every search scanned and unpacked it all)."""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS publication_search_vector_gin ON sbsh_publication USING gin (search_vector)",
    "UPDATE sbsh_publication SET search_vector = to_tsvector('simple', search_text) WHERE search_vector IS NULL",
    "DROP INDEX IF EXISTS publication_search_trgm",
]
BACKWARD = ["DROP INDEX IF EXISTS publication_search_vector_gin"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("sbsh", "0007_publication_search_vector")]
    operations = [migrations.RunPython(forward, backward)]
