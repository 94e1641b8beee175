"""The displacement periods DTM Iraq reports by; an administrator may add or rename them."""

from django.db import migrations

PERIODS = [
    # code, English, Arabic, Kurdish, start, end
    ("pre-2006", "Before February 2006", "قبل شباط 2006", "پێش شوباتی 2006", None, "2006-02-21"),
    ("2006-2008", "February 2006 – December 2008", "شباط 2006 – كانون الأول 2008", "شوباتی 2006 – کانوونی یەکەمی 2008", "2006-02-22", "2008-12-31"),
    ("2009-2013", "2009 – 2013", "2009 – 2013", "2009 – 2013", "2009-01-01", "2013-12-31"),
    ("jan-may-2014", "January – May 2014", "كانون الثاني – أيار 2014", "کانوونی دووەم – ئایاری 2014", "2014-01-01", "2014-05-31"),
    ("jun-jul-2014", "June – July 2014", "حزيران – تموز 2014", "حوزەیران – تەممووزی 2014", "2014-06-01", "2014-07-31"),
    ("aug-2014", "August 2014", "آب 2014", "ئابی 2014", "2014-08-01", "2014-08-31"),
    ("sep-2014-mar-2016", "September 2014 – March 2016", "أيلول 2014 – آذار 2016", "ئەیلوولی 2014 – ئازاری 2016", "2014-09-01", "2016-03-31"),
    ("apr-2016-oct-2016", "April – October 2016", "نيسان – تشرين الأول 2016", "نیسان – تشرینی یەکەمی 2016", "2016-04-01", "2016-10-16"),
    ("post-oct-2016", "Since 17 October 2016", "منذ 17 تشرين الأول 2016", "لە 17ی تشرینی یەکەمی 2016ەوە", "2016-10-17", None),
]


def add_periods(apps, schema_editor):
    DisplacementPeriod = apps.get_model("displacement", "DisplacementPeriod")
    for order, (code, en, ar, ku, start, end) in enumerate(PERIODS, start=1):
        DisplacementPeriod.objects.update_or_create(
            code=code,
            defaults={
                "label_en": en,
                "label_ar": ar,
                "label_ku": ku,
                "start_date": start,
                "end_date": end,
                "sort_order": order,
            },
        )


def remove_periods(apps, schema_editor):
    DisplacementPeriod = apps.get_model("displacement", "DisplacementPeriod")
    DisplacementPeriod.objects.filter(code__in=[code for code, *_rest in PERIODS]).delete()


class Migration(migrations.Migration):
    dependencies = [("displacement", "0001_initial")]

    operations = [migrations.RunPython(add_periods, remove_periods)]
