"""催办: a reminder kind of its own, sent by the plan office to a silent supporting unit (once a day)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0002_report_notifications"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reminder",
            name="kind",
            field=models.CharField(
                choices=[
                    ("report_due", "报送提醒"),
                    ("escalation", "逾期上报"),
                    ("meeting", "专题会通知"),
                    ("milestone", "节点提醒"),
                    ("urge", "催办"),
                ],
                max_length=16,
                verbose_name="类型",
            ),
        ),
    ]
