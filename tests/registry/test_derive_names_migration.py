"""Registry migration 0004 derives every person's name forms again after the normaliser
changed: a person stored with the old forms is found under the new keys afterwards."""

import importlib

import pytest
from django.apps import apps

from marsad.registry.models import Person
from tests.factories import OrganisationFactory
from tests.registry.factories import head, register

migration = importlib.import_module("marsad.registry.migrations.0004_derive_names_again")


def person(areas, given: str, family: str = "Al-Tai") -> Person:
    """The head of a household of one, registered in Karkh under these names."""
    members = [head(given_name=given, family_name=family)]
    return register(OrganisationFactory(), areas["karkh"], members).head


def given_keys(rows: list[Person]) -> set[str]:
    """The given-name keys stored for these persons."""
    return set(
        Person.objects.filter(pk__in=[row.pk for row in rows]).values_list("given_key", flat=True)
    )


@pytest.mark.django_db
def test_stale_name_forms_are_derived_again(areas):
    household = register(OrganisationFactory(), areas["karkh"], [head(given_name="فؤاد")])
    person = household.head
    fresh = Person.objects.values("given_key", "search_text", "names_latin").get(pk=person.pk)
    Person.objects.filter(pk=person.pk).update(
        given_key="fwad", search_text=" fwad ", names_latin="fwad | jasim"
    )
    untouched = register(OrganisationFactory(), areas["karkh"], [head(given_name="علي")]).head
    before = Person.objects.values("updated_at").get(pk=untouched.pk)

    migration.derive_again(apps, None)

    assert (
        Person.objects.values("given_key", "search_text", "names_latin").get(pk=person.pk) == fresh
    )
    assert fresh["given_key"] != "fwad"
    assert Person.objects.values("updated_at").get(pk=untouched.pk) == before


digraph_h = importlib.import_module("marsad.registry.migrations.0006_derive_some_names_again")


@pytest.mark.django_db
def test_names_with_a_digraph_then_h_are_derived_again_and_no_others(areas):
    """Al-Mashhadani had the Latin key of "Mashadani" and did not meet المشهداني."""
    latin = register(
        OrganisationFactory(), areas["karkh"], [head(given_name="Ali", family_name="Al-Mashhadani")]
    ).head
    arabic = register(OrganisationFactory(), areas["karkh"], [head(given_name="شهاب")]).head
    learnt = register(OrganisationFactory(), areas["karkh"], [head(given_name="Munzer")]).head
    assert (
        learnt.given_key
        == register(OrganisationFactory(), areas["karkh"], [head(given_name="منذر")]).head.given_key
    )
    other = register(OrganisationFactory(), areas["karkh"], [head(given_name="علي")]).head
    assert (
        latin.family_key
        == Person.objects.get(pk=latin.pk).family_key
        == (
            register(
                OrganisationFactory(), areas["karkh"], [head(family_name="المشهداني")]
            ).head.family_key
        )
    )
    fields = ("family_key", "names_latin", "search_text")
    fresh = {
        pk: Person.objects.values(*fields, "given_key").get(pk=pk)
        for pk in (latin.pk, arabic.pk, learnt.pk)
    }
    Person.objects.filter(pk=latin.pk).update(family_key="mxdny", search_text=" mashadani ")
    Person.objects.filter(pk=arabic.pk).update(names_latin="shab | jasm | aly | jbwry")
    Person.objects.filter(pk=learnt.pk).update(given_key="mnzr")
    Person.objects.filter(pk=other.pk).update(search_text=" stale but not read ")

    digraph_h.derive_again(apps, None)

    for pk, values in fresh.items():
        assert Person.objects.values(*fields, "given_key").get(pk=pk) == values
    assert Person.objects.get(pk=other.pk).search_text == " stale but not read "


nisba = importlib.import_module("marsad.registry.migrations.0007_derive_nisba_names_again")


@pytest.mark.django_db
def test_nisbas_of_listed_names_and_awad_are_derived_again_and_no_others(areas):
    """الأنوري had the key "anry" and never met Al-Anwari ("anwry"); عوض never met Awad."""
    arabic = register(
        OrganisationFactory(), areas["karkh"], [head(given_name="عوض", family_name="الأنوري")]
    ).head
    latin = register(
        OrganisationFactory(), areas["karkh"], [head(given_name="Awad", family_name="Al-Anwari")]
    ).head
    assert (arabic.given_key, arabic.family_key) == (latin.given_key, latin.family_key)
    kazimi = register(
        OrganisationFactory(), areas["karkh"], [head(given_name="Alawy", family_name="Kazimi")]
    ).head
    kadhimi = register(
        OrganisationFactory(), areas["karkh"], [head(given_name="علاوي", family_name="الكاظمي")]
    ).head
    assert (kazimi.given_key, kazimi.family_key) == (kadhimi.given_key, kadhimi.family_key)
    other = register(OrganisationFactory(), areas["karkh"], [head(given_name="علي")]).head
    fields = ("given_key", "family_key", "search_text")
    fresh = {pk: Person.objects.values(*fields).get(pk=pk) for pk in (arabic.pk, kazimi.pk)}
    Person.objects.filter(pk=arabic.pk).update(given_key="ad", family_key="anry")
    Person.objects.filter(pk=kazimi.pk).update(given_key="awy", family_key="kzmy")
    Person.objects.filter(pk=other.pk).update(given_key="stale but not read")

    nisba.derive_again(apps, None)

    for pk, values in fresh.items():
        assert Person.objects.values(*fields).get(pk=pk) == values
    assert Person.objects.get(pk=other.pk).given_key == "stale but not read"


al_names = importlib.import_module("marsad.registry.migrations.0008_derive_al_and_abd_names_again")


@pytest.mark.django_db
def test_names_that_begin_with_al_are_derived_again_and_no_others(areas):
    """Al-Alwani was read "wani" and never met العلواني; آلوسي was read وسي, Al-Alusi "usi";
    Abdur Rahman was two names."""
    latin, arabic = person(areas, "Omar", "Al-Alwani"), person(areas, "عمر", "العلواني")
    madda, alusi = person(areas, "عمر", "آلوسي"), person(areas, "Omar", "Al-Alousi")
    abdur = person(areas, "Abdur Rahman", "Al-Tai")
    assert latin.family_key == arabic.family_key
    assert madda.family_key == alusi.family_key == person(areas, "عمر", "الآلوسي").family_key
    assert abdur.given_key == person(areas, "عبد الرحمن", "الطائي").given_key
    other = register(OrganisationFactory(), areas["karkh"], [head(given_name="علي")]).head
    fields = ("family_key", "search_text")
    fresh = {row.pk: Person.objects.values(*fields).get(pk=row.pk) for row in (latin, madda, abdur)}
    Person.objects.filter(pk__in=[latin.pk, madda.pk]).update(family_key="stale")
    Person.objects.filter(pk=abdur.pk).update(search_text=" abdur rahman ")
    Person.objects.filter(pk=other.pk).update(given_key="stale but not read")

    al_names.derive_again(apps, None)

    for pk, values in fresh.items():
        assert Person.objects.values(*fields).get(pk=pk) == values
    assert Person.objects.get(pk=other.pk).given_key == "stale but not read"


doubled_abd = importlib.import_module(
    "marsad.registry.migrations.0010_derive_doubled_abd_names_again"
)


@pytest.mark.django_db
def test_abd_words_with_a_doubled_letter_are_derived_again_and_no_others(areas):
    """Abdull Zahra and Abbdel Karim were two names each; Abdullah and Abbas are not read."""
    abdull, abbdel = person(areas, "ABDULL ZAHRA"), person(areas, "Abbdel Karim")
    assert abdull.given_key == person(areas, "عبد الزهرة", "الطائي").given_key
    assert abbdel.given_key == person(areas, "عبد الكريم", "الطائي").given_key
    others = [person(areas, "Abdullah"), person(areas, "Abbas")]
    fresh = {row.pk: Person.objects.values("given_key").get(pk=row.pk) for row in (abdull, abbdel)}
    Person.objects.filter(pk__in=[abdull.pk, abbdel.pk, *(row.pk for row in others)]).update(
        given_key="stale"
    )

    doubled_abd.derive_again(apps, None)

    for pk, values in fresh.items():
        assert Person.objects.values("given_key").get(pk=pk) == values
    assert given_keys(others) == {"stale"}


mistyped_abd = importlib.import_module(
    "marsad.registry.migrations.0011_derive_mistyped_abd_names_again"
)


@pytest.mark.django_db
def test_mistyped_abd_words_are_derived_again_and_no_others(areas):
    """عبدد الزهرة, عببد الله, عبذ الكريم and Adbel Hussein were two names each; عبدو, عبادي,
    عبد الله and Adnan are not read."""
    mistyped = {
        person(areas, "عبدد الزهرة", "الطائي"): person(areas, "عبد الزهرة", "الطائي"),
        person(areas, "عببد الله", "الطائي"): person(areas, "عبد الله", "الطائي"),
        person(areas, "عبذ الكريم", "الطائي"): person(areas, "عبد الكريم", "الطائي"),
        person(areas, "ADBEL HUSSEIN", "AL-TAI"): person(areas, "عبد الحسين", "الطائي"),
    }
    for row, spelled_right in mistyped.items():
        assert row.given_key == spelled_right.given_key
    others = [
        person(areas, "عبدو", "الطائي"),
        person(areas, "عبادي", "الطائي"),
        person(areas, "عبد الله", "الطائي"),
        person(areas, "Adnan"),
    ]
    fresh = {row.pk: Person.objects.values("given_key").get(pk=row.pk) for row in mistyped}
    Person.objects.filter(pk__in=[*fresh, *(row.pk for row in others)]).update(given_key="stale")

    mistyped_abd.derive_again(apps, None)

    for pk, values in fresh.items():
        assert Person.objects.values("given_key").get(pk=pk) == values
    assert given_keys(others) == {"stale"}


aal = importlib.import_module("marsad.registry.migrations.0012_derive_names_keeping_al_again")


@pytest.mark.django_db
def test_names_written_with_a_long_first_vowel_are_derived_again_and_no_others(areas):
    """Aaliah lost "aal" as if it were the article and never met عالية, Alwand was "wand";
    Alani keeps losing its article, and Aal Yasin (آل) and Alwandi are not read."""
    long_vowel = person(areas, "AALIIAH")
    assert long_vowel.given_key == person(areas, "عالية", "الطائي").given_key
    assert person(areas, "Ali", "Alani").family_key == person(areas, "علي", "العاني").family_key
    kurdish = person(areas, "Alwand")
    others = [person(areas, "Aal Yasin"), person(areas, "Ali", "Alwandi")]
    fresh = {
        row.pk: Person.objects.values("given_key", "search_text").get(pk=row.pk)
        for row in (long_vowel, kurdish)
    }
    assert fresh[kurdish.pk]["given_key"].startswith("al")
    Person.objects.filter(pk__in=[*fresh, *(row.pk for row in others)]).update(
        given_key="stale", search_text=" stale "
    )

    aal.derive_again(apps, None)

    for pk, values in fresh.items():
        assert Person.objects.values("given_key", "search_text").get(pk=pk) == values
    assert given_keys(others) == {"stale"}
