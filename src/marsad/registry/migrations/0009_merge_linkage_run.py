"""A merge made by a linkage run names the run; its reason is put into words when it is read, in
the reader's language. Merges made before kept the words of the language the run was started
in (English, Arabic or Kurdish): they name their run too, and their reason is left empty."""

from django.db import migrations, models
from django.db.models import CharField, IntegerField, Value
from django.db.models.functions import Cast, Concat, Length, Substr

# The words a linkage run wrote, in each language it could write them (as they were when runs
# wrote them): what comes before and after the run's number.
RUN_REASONS = (
    ("Linked automatically by linkage run ", ""),
    ("رُبط تلقائيًا في عملية الربط ", ""),
    ("بە شێوەی خۆکار لە کرداری بەستنەوەی ", " بەسترایەوە"),
)
ENGLISH = RUN_REASONS[0][0]
MODELS = ("PersonMerge", "HouseholdMerge")


def name_the_runs(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("registry", name)
        for before, after in RUN_REASONS:
            pattern = "^" + before + r"[0-9]+" + after + "$"
            number = Substr("reason", len(before) + 1, Length("reason") - len(before) - len(after))
            model.objects.filter(reason__regex=pattern, linkage_run__isnull=True).update(
                linkage_run=Cast(number, IntegerField()), reason=""
            )


def write_the_reasons(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("registry", name)
        model.objects.filter(linkage_run__isnull=False, reason="").update(
            reason=Concat(Value(ENGLISH), Cast("linkage_run", CharField()))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_derive_al_and_abd_names_again"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name="linkage_run",
                field=models.PositiveIntegerField(
                    blank=True,
                    help_text="The linkage run that merged the records automatically; empty "
                    "when a person decided.",
                    null=True,
                    verbose_name="linkage run",
                ),
            )
            for model_name in ("householdmerge", "personmerge")
        ),
        migrations.RunPython(name_the_runs, write_the_reasons),
    ]
