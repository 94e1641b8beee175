"""A merge made by a linkage run names the run, and one a reviewer decided names the review
queue's pair; their reason is put into words when it is read, in the reader's language. Merges
made before kept the words of the language the run or the reviewer worked in (English, Arabic or
Kurdish): they name their run or pair too, and their reason is left empty."""

import re

from django.db import migrations, models
from django.db.models import CharField, IntegerField, Value
from django.db.models.functions import Cast, Concat, Length, Substr

# The words runs and reviews wrote, in each language they could write them (as they were when
# they wrote them): what comes before and after the number, by field and model.
RUN = (
    ("Linked automatically by linkage run ", ""),
    ("رُبط تلقائيًا في عملية الربط ", ""),
    ("بە شێوەی خۆکار لە کرداری بەستنەوەی ", " بەسترایەوە"),
)
PERSON_REVIEWED = (
    ("Reviewed: same person (pair ", ")"),
    ("روجع: الشخص نفسه (ثنائي السجلات ", ")"),
    ("پێداچوونەوەی بۆ کرا: هەمان کەس (جووتی ", ")"),
)
HOUSEHOLD_REVIEWED = (
    ("Reviewed: same person (pair ", "); no member of its own was left"),
    ("روجع: الشخص نفسه (ثنائي السجلات ", ")؛ لم يبقَ في الأسرة فرد خاص بها"),
    ("پێداچوونەوەی بۆ کرا: هەمان کەس (جووتی ", ")؛ هیچ ئەندامێکی خۆی لە خێزانەکەدا نەما"),
)
WORDS = {
    "PersonMerge": {"linkage_run": RUN, "review_pair": PERSON_REVIEWED},
    "HouseholdMerge": {"linkage_run": RUN, "review_pair": HOUSEHOLD_REVIEWED},
}


def name_the_origins(apps, schema_editor):
    for name, fields in WORDS.items():
        model = apps.get_model("registry", name)
        for field, words in fields.items():
            for before, after in words:
                pattern = "^" + re.escape(before) + "[0-9]+" + re.escape(after) + "$"
                number = Substr(
                    "reason", len(before) + 1, Length("reason") - len(before) - len(after)
                )
                model.objects.filter(
                    reason__regex=pattern, linkage_run__isnull=True, review_pair__isnull=True
                ).update(**{field: Cast(number, IntegerField())}, reason="")


def write_the_reasons(apps, schema_editor):
    for name, fields in WORDS.items():
        model = apps.get_model("registry", name)
        for field, words in fields.items():
            before, after = words[0]  # English
            model.objects.filter(**{f"{field}__isnull": False}, reason="").update(
                reason=Concat(Value(before), Cast(field, CharField()), Value(after))
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
        *(
            migrations.AddField(
                model_name=model_name,
                name="review_pair",
                field=models.PositiveIntegerField(
                    blank=True,
                    help_text="The pair of the review queue a reviewer decided was the same "
                    "person; empty otherwise.",
                    null=True,
                    verbose_name="review pair",
                ),
            )
            for model_name in ("householdmerge", "personmerge")
        ),
        migrations.RunPython(name_the_origins, write_the_reasons),
    ]
