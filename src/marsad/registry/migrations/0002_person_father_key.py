"""The father's name key on every person, and an index on given + father keys: the registration
form's duplicates panel looks a typed person up by the keys the linkage model blocks on."""

from django.db import migrations, models


def fill_father_keys(apps, schema_editor):
    """One UPDATE per distinct key over the names that give it (a registry repeats its
    fathers' names: far fewer queries than persons)."""
    from collections import defaultdict

    from marsad.linkage.normalise import name_key

    Person = apps.get_model("registry", "Person")
    names_by_key = defaultdict(list)
    for name in Person.objects.order_by().values_list("father_name", flat=True).distinct():
        key = name_key(name or "")[:100]
        if key:
            names_by_key[key].append(name)
    for key, names in names_by_key.items():
        for start in range(0, len(names), 500):
            Person.objects.filter(father_name__in=names[start : start + 500]).update(father_key=key)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="father_key",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.RunPython(fill_father_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["given_key", "father_key"], name="registry_person_given_father"
            ),
        ),
    ]
