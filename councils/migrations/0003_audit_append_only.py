"""The audit trail is append-only in the database itself (ASVS 16.4.2): on PostgreSQL a
trigger refuses UPDATE and DELETE of audit rows and of the version move log, whatever
the application does. (TRUNCATE, used only by test tear-down and by a restore, is a
separate privilege an operator can revoke from the application's role.)"""

from django.db import migrations

TABLES = ["councils_auditevent", "sbsh_versiontransition"]
# %% because the schema editor passes the SQL through the driver's parameter formatting.
FUNCTION = """
CREATE OR REPLACE FUNCTION sqf_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the %% table is append-only: %% refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sqf_append_only()"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS sqf_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0002_audit_scope"),
        ("sbsh", "0006_handover_return"),
    ]
    operations = [migrations.RunPython(forward, backward)]
