# Redundant indexes on the hot tables (issue 18), each duplicated by, or a prefix of, another index:
# - reports_dat_submiss_5d46be_idx: the same (submission_id) as the foreign key's own index;
# - reports_datavalue_indicator_id_68051fee: (indicator_id), a prefix of datavalue_unique;
# - reports_indicatoraggregate_unit_id_6abab9a1: (unit_id), never scanned (every read names the indicator).
# The foreign keys' indexes go with a plain DROP INDEX (an AlterField would drop and re-add the
# datavalue → indicator constraint, validating millions of rows under lock).
import django.db.models.deletion
from django.db import migrations, models

INDICATOR_INDEX = "reports_datavalue_indicator_id_68051fee"
UNIT_INDEX = "reports_indicatoraggregate_unit_id_6abab9a1"


class Migration(migrations.Migration):

    dependencies = [
        ('mattran', '0005_unit_code_fits_a_url'),
        ('programs', '0004_plan_purpose_requirements_implementation'),
        ('reports', '0010_form_early_entry_days'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='datavalue',
            name='reports_dat_submiss_5d46be_idx',
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDICATOR_INDEX}"',
                    f'CREATE INDEX "{INDICATOR_INDEX}" ON "reports_datavalue" ("indicator_id")',
                ),
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{UNIT_INDEX}"',
                    f'CREATE INDEX "{UNIT_INDEX}" ON "reports_indicatoraggregate" ("unit_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='datavalue',
                    name='indicator',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='values', to='programs.indicator', verbose_name='chỉ số'),
                ),
                migrations.AlterField(
                    model_name='indicatoraggregate',
                    name='unit',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='aggregates', to='mattran.unit', verbose_name='đơn vị'),
                ),
            ],
        ),
    ]
