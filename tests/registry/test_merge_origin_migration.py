"""Registry migration 0009: merges a linkage run or a review made before name their run or pair,
and their reason (stored in the language the run or the reviewer worked in) is put into words
when read, in the reader's language."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from marsad.registry.models import HouseholdMerge, PersonMerge
from tests.factories import OrganisationFactory
from tests.registry.factories import head, register

migration = importlib.import_module("marsad.registry.migrations.0009_merge_origin")

# reason stored → (linkage_run, review_pair) of a person merge and of a household merge
REASONS = {
    "Linked automatically by linkage run 12": ((12, None), (12, None)),
    "رُبط تلقائيًا في عملية الربط 305": ((305, None), (305, None)),
    "بە شێوەی خۆکار لە کرداری بەستنەوەی 7 بەسترایەوە": ((7, None), (7, None)),
    "Reviewed: same person (pair 88)": ((None, 88), None),
    "روجع: الشخص نفسه (ثنائي السجلات 89)": ((None, 89), None),
    "پێداچوونەوەی بۆ کرا: هەمان کەس (جووتی 90)": ((None, 90), None),
    "Reviewed: same person (pair 91); no member of its own was left": (None, (None, 91)),
    "روجع: الشخص نفسه (ثنائي السجلات 92)؛ لم يبقَ في الأسرة فرد خاص بها": (None, (None, 92)),
    # what people wrote stays theirs
    "Same head, same son": (None, None),
    "Linked automatically by linkage run twelve": (None, None),
    "Linked automatically by linkage run 12, checked by phone": (None, None),
    "Reviewed: same person (pair 8)8)": (None, None),
}
KURDISH = {
    (12, None): "بە شێوەی خۆکار لە کرداری بەستنەوەی 12 بەسترایەوە",
    (305, None): "بە شێوەی خۆکار لە کرداری بەستنەوەی 305 بەسترایەوە",
    (7, None): "بە شێوەی خۆکار لە کرداری بەستنەوەی 7 بەسترایەوە",
    (None, 88): "پێداچوونەوەی بۆ کرا: هەمان کەس (جووتی 88)",
    (None, 89): "پێداچوونەوەی بۆ کرا: هەمان کەس (جووتی 89)",
    (None, 90): "پێداچوونەوەی بۆ کرا: هەمان کەس (جووتی 90)",
    (None, 91): "پێداچوونەوەی بۆ کرا: هەمان کەس (جووتی 91)؛ هیچ ئەندامێکی خۆی لە خێزانەکەدا نەما",
    (None, 92): "پێداچوونەوەی بۆ کرا: هەمان کەس (جووتی 92)؛ هیچ ئەندامێکی خۆی لە خێزانەکەدا نەما",
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
        made[reason] = (person, household)
    return made


@pytest.mark.django_db
def test_merges_by_a_run_or_a_review_name_it_and_read_in_the_readers_language(merges):
    migration.name_the_origins(apps, None)

    for reason, expected in REASONS.items():
        for made, origin in zip(merges[reason], expected, strict=True):
            merge = type(made).objects.get(pk=made.pk)
            if origin is None:
                assert (merge.linkage_run, merge.review_pair, merge.reason) == (None, None, reason)
                assert merge.reason_text == reason
                continue
            assert ((merge.linkage_run, merge.review_pair), merge.reason) == (origin, "")
            with translation.override("ckb"):
                assert merge.reason_text == KURDISH[origin]


@pytest.mark.django_db
def test_english_words_are_read_back_in_english(merges):
    migration.name_the_origins(apps, None)

    _person, household = merges["روجع: الشخص نفسه (ثنائي السجلات 92)؛ لم يبقَ في الأسرة فرد خاص بها"]
    with translation.override("en"):
        assert HouseholdMerge.objects.get(pk=household.pk).reason_text == (
            "Reviewed: same person (pair 92); no member of its own was left"
        )
        assert PersonMerge.objects.get(
            pk=merges["Reviewed: same person (pair 88)"][0].pk
        ).reason_text == ("Reviewed: same person (pair 88)")


@pytest.mark.django_db
def test_going_back_writes_the_reason_again(merges):
    migration.name_the_origins(apps, None)
    migration.write_the_reasons(apps, None)

    person, household = merges["رُبط تلقائيًا في عملية الربط 305"]
    assert PersonMerge.objects.get(pk=person.pk).reason == "Linked automatically by linkage run 305"
    assert HouseholdMerge.objects.get(pk=household.pk).reason == (
        "Linked automatically by linkage run 305"
    )
    _person, household = merges["Reviewed: same person (pair 91); no member of its own was left"]
    assert HouseholdMerge.objects.get(pk=household.pk).reason == (
        "Reviewed: same person (pair 91); no member of its own was left"
    )
    person, _household = merges["Same head, same son"]
    assert PersonMerge.objects.get(pk=person.pk).reason == "Same head, same son"
