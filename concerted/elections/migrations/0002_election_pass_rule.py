"""The pass rule: more than half, at least two thirds, or more than / at least a
percentage with decimals. Elections made before it meant "more than pass_percent %",
so they get that rule and keep their number."""

from decimal import Decimal

from django.db import migrations, models

import concerted.elections.models


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0001_i18_elections"),
    ]

    operations = [
        migrations.AddField(
            model_name="election",
            name="pass_rule",
            field=models.CharField(
                choices=[
                    ("majority", "More than half of the votes cast"),
                    ("2/3", "At least two thirds of the votes cast"),
                    ("more", "More than a percentage of the votes cast"),
                    ("atleast", "At least a percentage of the votes cast"),
                ],
                default="more",
                help_text="The union's rule, e.g. more than half for ratification, at least two thirds for a strike.",
                max_length=8,
                verbose_name="Yes needed to pass",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="election",
            name="pass_rule",
            field=models.CharField(
                choices=[
                    ("majority", "More than half of the votes cast"),
                    ("2/3", "At least two thirds of the votes cast"),
                    ("more", "More than a percentage of the votes cast"),
                    ("atleast", "At least a percentage of the votes cast"),
                ],
                default="majority",
                help_text="The union's rule, e.g. more than half for ratification, at least two thirds for a strike.",
                max_length=8,
                verbose_name="Yes needed to pass",
            ),
        ),
        migrations.AlterField(
            model_name="election",
            name="pass_percent",
            field=concerted.elections.models.PercentField(
                decimal_places=2,
                default=Decimal("50"),
                help_text="Up to two decimals, e.g. 60 or 66.67.",
                max_digits=5,
                verbose_name="percentage (for “more than” or “at least” a percentage)",
            ),
        ),
    ]
