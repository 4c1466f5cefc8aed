"""Search indexes that only PostgreSQL has: trigram GIN on the lower-cased search text
(used by classifiers.selectors.node_search for words in kk/ru/en) and a pattern index
for code-prefix look-ups. On SQLite the search falls back to plain LIKE scans."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS node_search_trgm ON classifiers_node USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS node_code_pattern ON classifiers_node (edition_id, code varchar_pattern_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS node_search_trgm",
    "DROP INDEX IF EXISTS node_code_pattern",
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
    dependencies = [("classifiers", "0001_editions_nodes_crosswalk_imports")]
    operations = [migrations.RunPython(forward, backward)]
