"""Derive again the stored name forms (the search box reads them) of the travellers, documents
and watchlist entries whose names the normaliser now reads otherwise: a digraph followed by an
h is the digraph and an h, not a doubled h (Al-Mashhadani المشهداني; شهاب was romanised
"shab"), and the lexicon learnt six names (Haris / Harith, Munzer / Munther, Zikra / Thikra,
Khadiga / Khadija, Amgad / Amjad, Sarwat / Tharwat). Only rows with such a name are read; only
changed rows are written. Screening builds its index from the names as written and needs
nothing; fingerprints hash the names as written and do not change.

The rows are derived by the models' own ``refresh_derived``, as in 0002."""

from django.db import migrations
from django.db.models import Q

from marsad.border.migrations._names import derive_names_again

#: Spellings whose forms changed: a digraph then h, and the names the lexicon learnt.
LATIN = (
    r"[sktdgzcp]hh|harith|haris|hares|harreth|munther|munzer|monther|mundher|munzir|thikra"
    r"|zikra|dhikra|zekra|khadij|khadeej|khadig|khadeeg|amjad|amgad|tharwat|tharwet|sarwat"
)
ARABIC = "[شثذضظخغ]ه|حارث|منذر|ذكر|خديج|مجد|ثروت"


def derive_again(apps, schema_editor):
    # Arabic names may be escaped in the stored JSON; their normal forms are in search_text.
    derive_names_again(
        lambda name: Q(**{f"{name}__iregex": LATIN}) | Q(**{f"{name}__regex": ARABIC}),
        Q(names_text__iregex=LATIN) | Q(search_text__regex=ARABIC),
    )


class Migration(migrations.Migration):
    dependencies = [("border", "0003_entry_fingerprint_one_rule")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
