"""Derive again the stored name forms (the search box reads them) of the travellers, documents
and watchlist entries whose names the normaliser now reads otherwise: a digraph followed by an
h is the digraph and an h, not a doubled h (Al-Mashhadani المشهداني; شهاب was romanised
"shab"), and the lexicon learnt six names (Haris / Harith, Munzer / Munther, Zikra / Thikra,
Khadiga / Khadija, Amgad / Amjad, Sarwat / Tharwat). Only rows with such a name are read; only
changed rows are written. Screening builds its index from the names as written and needs
nothing; fingerprints hash the names as written and do not change.

The rows are derived by the models' own ``refresh_derived``, as in 0002."""

from operator import methodcaller

from django.db import migrations
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from marsad.core.bulk import derive_again as derive_again_in_batches

FIELDS = ["names_normalised", "names_latin", "name_key", "search_text"]
#: Spellings whose forms changed: a digraph then h, and the names the lexicon learnt.
LATIN = (
    r"[sktdgzcp]hh|harith|haris|hares|harreth|munther|munzer|monther|mundher|munzir|thikra"
    r"|zikra|dhikra|zekra|khadij|khadeej|khadig|khadeeg|amjad|amgad|tharwat|tharwet|sarwat"
)
ARABIC = "[شثذضظخغ]ه|حارث|منذر|ذكر|خديج|مجد|ثروت"


def _derive(queryset, affected):
    derive_again_in_batches(queryset.filter(affected), FIELDS, methodcaller("refresh_derived"))


def _written(*names):
    found = Q()
    for name in names:
        found |= Q(**{f"{name}__iregex": LATIN}) | Q(**{f"{name}__regex": ARABIC})
    return found


def derive_again(apps, schema_editor):
    from marsad.border.models import TravelDocument, Traveller, WatchlistEntry

    _derive(Traveller.objects.all(), _written("given_names", "surname", "name_other_script"))
    _derive(TravelDocument.objects.all(), _written("given_names", "surname"))
    # Arabic names may be escaped in the stored JSON; their normal forms are in search_text.
    _derive(
        WatchlistEntry.objects.annotate(names_text=Cast("names", TextField())),
        Q(names_text__iregex=LATIN) | Q(search_text__regex=ARABIC),
    )


class Migration(migrations.Migration):
    dependencies = [("border", "0003_entry_fingerprint_one_rule")]

    operations = [migrations.RunPython(derive_again, migrations.RunPython.noop, elidable=True)]
