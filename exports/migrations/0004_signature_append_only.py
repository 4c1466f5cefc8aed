"""Signatures are append-only in the database itself, like the audit trail: on PostgreSQL
the trigger of councils/0003 refuses UPDATE and DELETE of a kept signature (ASVS 16.4.2;
a signed hand-over document must stay provable)."""

from django.db import migrations

TABLE = "exports_signature"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION sqf_append_only()"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0003_signatures"),
        ("councils", "0003_audit_append_only"),
    ]
    operations = [migrations.RunPython(forward, backward)]
