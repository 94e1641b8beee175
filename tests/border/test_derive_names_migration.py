"""Border migration 0002 derives the stored name forms of travellers and watchlist entries
again after the normaliser changed."""

import importlib

import pytest
from django.apps import apps

from marsad.border.models import Traveller, WatchlistEntry
from tests.border.factories import World, cross, entry, watchlist

migration = importlib.import_module("marsad.border.migrations.0002_derive_names_again")


def entry_forms(pk: int) -> dict[str, str]:
    """The stored name forms of a watchlist entry: its name key and search text."""
    return WatchlistEntry.objects.values("name_key", "search_text").get(pk=pk)


@pytest.mark.django_db
def test_stale_name_forms_are_derived_again(areas):
    world = World(areas)
    listed = entry(watchlist(world.bpc), names=["Fouad Jasim al-Obaidi", "فؤاد جاسم العبيدي"])
    traveller = cross(world.safwan_point).traveller
    fresh_entry = entry_forms(listed.pk)
    fresh_traveller = Traveller.objects.values("name_key", "search_text").get(pk=traveller.pk)
    WatchlistEntry.objects.filter(pk=listed.pk).update(name_key="stale", search_text=" stale ")
    Traveller.objects.filter(pk=traveller.pk).update(name_key="stale", search_text=" stale ")

    migration.derive_again(apps, None)

    assert entry_forms(listed.pk) == fresh_entry
    assert Traveller.objects.values("name_key", "search_text").get(pk=traveller.pk) == (
        fresh_traveller
    )


digraph_h = importlib.import_module("marsad.border.migrations.0004_derive_some_names_again")


@pytest.mark.django_db
def test_names_with_a_digraph_then_h_are_derived_again_and_no_others(areas):
    world = World(areas)
    listing = watchlist(world.bpc)
    listed = entry(listing, names=["Ahmed Khalil Al-Mashhadani"])
    arabic = entry(listing, names=["شهاب أحمد"])
    other = entry(listing, names=["Ali Hassan"])
    fresh = {pk: entry_forms(pk) for pk in (listed.pk, arabic.pk)}
    assert "mxhdny" in fresh[listed.pk]["name_key"]
    WatchlistEntry.objects.filter(pk__in=[listed.pk, arabic.pk, other.pk]).update(name_key="stale")

    digraph_h.derive_again(apps, None)

    for pk, values in fresh.items():
        assert entry_forms(pk) == values
    assert WatchlistEntry.objects.get(pk=other.pk).name_key == "stale"


nisba = importlib.import_module("marsad.border.migrations.0005_derive_nisba_names_again")


@pytest.mark.django_db
def test_nisbas_of_listed_names_are_derived_again_and_no_others(areas):
    world = World(areas)
    listing = watchlist(world.bpc)
    arabic = entry(listing, names=["عوض كريم الأنوري"])
    latin = entry(listing, names=["Awad Karim Al-Anwari"])
    kazimi = entry(listing, names=["Alawy Jasim Kazimi"])
    other = entry(listing, names=["Ali Hassan"])
    fresh = {pk: entry_forms(pk) for pk in (arabic.pk, kazimi.pk)}
    assert fresh[arabic.pk]["name_key"] == WatchlistEntry.objects.get(pk=latin.pk).name_key
    assert fresh[kazimi.pk]["name_key"] == entry(listing, names=["علاوي جاسم الكاظمي"]).name_key
    WatchlistEntry.objects.filter(pk__in=[arabic.pk, kazimi.pk, other.pk]).update(name_key="stale")
    WatchlistEntry.objects.filter(pk=kazimi.pk).update(search_text=" awy jasim kazimi ")

    nisba.derive_again(apps, None)

    for pk, values in fresh.items():
        assert entry_forms(pk) == values
    assert WatchlistEntry.objects.get(pk=other.pk).name_key == "stale"


al_names = importlib.import_module("marsad.border.migrations.0006_derive_al_and_abd_names_again")


@pytest.mark.django_db
def test_names_that_begin_with_al_or_abd_are_derived_again_and_no_others(areas):
    """Al-Alusi was read "usi" and آلوسي "وسي": neither met الآلوسي; Abdur Rahman was two
    names, and never met عبد الرحمن."""
    world = World(areas)
    listing = watchlist(world.bpc)
    latin = entry(listing, names=["Kadhim Shihab Al-Alusi"])
    arabic = entry(listing, names=["كاظم شهاب آلوسي"])
    written = entry(listing, names=["كاظم شهاب الآلوسي"])
    abdur = entry(listing, names=["Abdur Rahman Ali Al-Tai"])
    other = entry(listing, names=["Ali Hassan Al-Jubouri"])
    keys = {WatchlistEntry.objects.get(pk=row.pk).name_key.split()[-1] for row in (latin, arabic)}
    assert keys == {WatchlistEntry.objects.get(pk=written.pk).name_key.split()[-1]}
    assert abdur.name_key == entry(listing, names=["عبد الرحمن علي الطائي"]).name_key
    fresh = {row.pk: entry_forms(row.pk) for row in (latin, arabic, abdur)}
    stale = [latin.pk, arabic.pk, abdur.pk, other.pk]
    WatchlistEntry.objects.filter(pk__in=stale).update(name_key="stale")

    al_names.derive_again(apps, None)

    for pk, values in fresh.items():
        assert entry_forms(pk) == values
    assert WatchlistEntry.objects.get(pk=other.pk).name_key == "stale"


doubled_abd = importlib.import_module(
    "marsad.border.migrations.0007_derive_doubled_abd_names_again"
)


@pytest.mark.django_db
def test_abd_words_with_a_doubled_letter_are_derived_again_and_no_others(areas):
    """Abdull Zahra was two names, and never met عبد الزهرة; Abdullah is not read."""
    world = World(areas)
    listing = watchlist(world.bpc)
    abdull = entry(listing, names=["Abdull Zahra Ali Al-Tai"])
    assert abdull.name_key == entry(listing, names=["عبد الزهرة علي الطائي"]).name_key
    other = entry(listing, names=["Abdullah Ali Al-Tai"])
    fresh = entry_forms(abdull.pk)
    WatchlistEntry.objects.filter(pk__in=[abdull.pk, other.pk]).update(name_key="stale")

    doubled_abd.derive_again(apps, None)

    assert entry_forms(abdull.pk) == fresh
    assert WatchlistEntry.objects.get(pk=other.pk).name_key == "stale"


mistyped_abd = importlib.import_module(
    "marsad.border.migrations.0008_derive_mistyped_abd_names_again"
)


@pytest.mark.django_db
def test_mistyped_abd_words_are_derived_again_and_no_others(areas):
    """عبدد الزهرة and Adbel Zahra were two names, and never met Abdul Zahra; عبدو is not
    read."""
    world = World(areas)
    listing = watchlist(world.bpc)
    doubled = entry(listing, names=["عبدد الزهرة علي الطائي"])
    swapped = entry(listing, names=["Adbel Zahra Ali Al-Tai"])
    spelled_right = entry(listing, names=["Abdul Zahra Ali Al-Tai"]).name_key
    assert doubled.name_key == swapped.name_key == spelled_right
    other = entry(listing, names=["عبدو علي الطائي"])
    fresh = {row.pk: entry_forms(row.pk) for row in (doubled, swapped)}
    WatchlistEntry.objects.filter(pk__in=[*fresh, other.pk]).update(name_key="stale")
    # the normal forms as the old normaliser left them: عبدد a word of its own
    WatchlistEntry.objects.filter(pk=doubled.pk).update(search_text=" عبدد زهره علي طايي ")

    mistyped_abd.derive_again(apps, None)

    for pk, values in fresh.items():
        assert entry_forms(pk) == values
    assert WatchlistEntry.objects.get(pk=other.pk).name_key == "stale"


aal = importlib.import_module("marsad.border.migrations.0009_derive_names_keeping_al_again")


@pytest.mark.django_db
def test_names_written_with_a_long_first_vowel_are_derived_again_and_no_others(areas):
    """Aaliah lost "aal" as if it were the article and never met عالية."""
    world = World(areas)
    listing = watchlist(world.bpc)
    long_vowel = entry(listing, names=["Aaliah Karim Al-Tai"])
    assert long_vowel.name_key == entry(listing, names=["عالية كريم الطائي"]).name_key
    other = entry(listing, names=["Alia Karim Al-Tai"])
    fresh = entry_forms(long_vowel.pk)
    WatchlistEntry.objects.filter(pk__in=[long_vowel.pk, other.pk]).update(name_key="stale")
    WatchlistEntry.objects.filter(pk=long_vowel.pk).update(search_text=" iah krm tai ")

    aal.derive_again(apps, None)

    assert entry_forms(long_vowel.pk) == fresh
    assert WatchlistEntry.objects.get(pk=other.pk).name_key == "stale"
