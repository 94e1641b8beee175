"""Registry migration 0009: merges a linkage run made before name their run, and their reason
(stored in the language the run was started in) is put into words when read, in the reader's."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from marsad.registry.models import HouseholdMerge, PersonMerge
from tests.factories import OrganisationFactory
from tests.registry.factories import head, register

migration = importlib.import_module("marsad.registry.migrations.0009_merge_linkage_run")

REASONS = {
    "Linked automatically by linkage run 12": 12,
    "رُبط تلقائيًا في عملية الربط 305": 305,
    "بە شێوەی خۆکار لە کرداری بەستنەوەی 7 بەسترایەوە": 7,
    # what people wrote stays theirs
    "Same head, same son": None,
    "Linked automatically by linkage run twelve": None,
    "Linked automatically by linkage run 12, checked by phone": None,
}


@pytest.fixture
def merges(areas):
    made = {}
    for number, reason in enumerate(REASONS):
        kept, folded = (
            register(OrganisationFactory(), areas["karkh"], [head(given_name=name)])
            for name in (f"Ali {number}", f"Aly {number}")
        )
        person = PersonMerge.objects.create(
            survivor=kept.head, merged=folded.head, survivor_before={}, reason=reason
        )
        household = HouseholdMerge.objects.create(
            survivor=kept,
            merged=folded,
            survivor_before={},
            merged_status="displaced",
            reason=reason,
        )
        made[reason] = (person.pk, household.pk)
    return made


@pytest.mark.django_db
def test_merges_by_a_linkage_run_name_it_and_read_in_the_readers_language(merges):
    migration.name_the_runs(apps, None)

    for reason, number in REASONS.items():
        person_pk, household_pk = merges[reason]
        for merge in (
            PersonMerge.objects.get(pk=person_pk),
            HouseholdMerge.objects.get(pk=household_pk),
        ):
            if number is None:
                assert (merge.linkage_run, merge.reason, merge.reason_text) == (
                    None,
                    reason,
                    reason,
                )
            else:
                assert (merge.linkage_run, merge.reason) == (number, "")
                assert merge.reason_text == f"Linked automatically by linkage run {number}"
                with translation.override("ckb"):
                    assert merge.reason_text == (
                        f"بە شێوەی خۆکار لە کرداری بەستنەوەی {number} بەسترایەوە"
                    )


@pytest.mark.django_db
def test_going_back_writes_the_reason_again(merges):
    migration.name_the_runs(apps, None)
    migration.write_the_reasons(apps, None)

    person_pk, household_pk = merges["رُبط تلقائيًا في عملية الربط 305"]
    assert PersonMerge.objects.get(pk=person_pk).reason == "Linked automatically by linkage run 305"
    assert HouseholdMerge.objects.get(pk=household_pk).reason == (
        "Linked automatically by linkage run 305"
    )
    person_pk, _household_pk = merges["Same head, same son"]
    assert PersonMerge.objects.get(pk=person_pk).reason == "Same head, same son"
