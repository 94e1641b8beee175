"""Registry migration 0004 derives every person's name forms again after the normaliser
changed: a person stored with the old forms is found under the new keys afterwards."""

import importlib

import pytest
from django.apps import apps

from marsad.registry.models import Person
from tests.factories import OrganisationFactory
from tests.registry.factories import head, register

migration = importlib.import_module("marsad.registry.migrations.0004_derive_names_again")


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
