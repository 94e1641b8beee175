"""Merging a household into another from its page (suggestions, confirmation, refusals, undo),
the household list hiding merged households, and the same through the API."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from marsad.registry import services
from marsad.registry.models import Household, HouseholdMerge
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def source(kind: str, key: str) -> dict:
    return {"kind": kind, "source_key": key, "payload": {"key": key}}


@pytest.fixture
def officer(ngo, areas):
    return member("case_worker", ngo, username="registrar")


@pytest.fixture
def twice(ngo, areas):
    """The ministry's household and a distribution list's one whose head was merged into the
    ministry's head; the son the ministry missed is still active in the second."""
    kept = register(ngo, areas["karkh"], [head(source=source("ministry", "M-1"))], size=1)
    folded = register(
        ngo,
        areas["karkh"],
        [
            head(given_name="Mohammed", source=source("distribution", "D-1")),
            head(
                relationship="son",
                given_name="علي",
                birth_date=datetime.date(2010, 7, 1),
                source=source("distribution", "D-2"),
            ),
        ],
        size=2,
        address="Street 5",
    )
    services.person_merge(actor=None, survivor=kept.head, merged=folded.head, reason="Same ID")
    return kept, folded


def merge_url(household: Household) -> str:
    return reverse("registry:household-merge", args=[household.pk])


def test_the_page_suggests_the_household_holding_the_survivors(client, officer, twice):
    kept, folded = twice
    client.force_login(officer)
    page = client.get(reverse("registry:household-detail", args=[folded.pk])).content.decode()
    assert "Merge into another household" in page
    assert f"{merge_url(folded)}?into={kept.registration_number}" in page
    assert "1 member lives on there" in page
    form = client.get(merge_url(folded), {"into": kept.registration_number}).content.decode()
    assert f'value="{kept.registration_number}"' in form


def test_merge_after_confirming_then_undo(client, officer, twice):
    kept, folded = twice
    client.force_login(officer)
    body = {"into": kept.registration_number, "reason": "Same head, same son"}
    confirm = client.post(merge_url(folded), body)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Confirm the merge" in page
    assert "1 active member moves into the kept household." in page
    assert "would be the one kept" not in page  # the ministry's household is kept: rule 1
    assert not HouseholdMerge.objects.exists()

    done = client.post(merge_url(folded), {**body, "confirm": "1"})
    assert done.status_code == 302
    assert done.url == reverse("registry:household-detail", args=[kept.pk])
    merge = HouseholdMerge.objects.get()
    assert (merge.survivor, merge.merged, merge.decided_by) == (kept, folded, officer)
    assert merge.reason == "Same head, same son"

    page = client.get(reverse("registry:household-detail", args=[folded.pk])).content.decode()
    assert "it is merged into household" in page
    assert reverse("registry:household-detail", args=[kept.pk]) in page
    assert reverse("registry:household-merge-undo", args=[merge.pk]) in page
    assert reverse("registry:household-edit", args=[folded.pk]) not in page
    assert "Merge into another household" not in page
    assert client.get(merge_url(folded)).content.decode().count("already merged") == 1
    survivor_page = client.get(reverse("registry:household-detail", args=[kept.pk]))
    assert "Household merges" in survivor_page.content.decode()

    listed = client.get(reverse("registry:household-list")).content.decode()
    assert kept.registration_number in listed
    assert folded.registration_number not in listed
    shown = client.get(reverse("registry:household-list"), {"merged": "on"}).content.decode()
    assert folded.registration_number in shown
    assert f"merged into {kept.registration_number}" in shown

    undone = client.post(reverse("registry:household-merge-undo", args=[merge.pk]))
    assert undone.url == reverse("registry:household-detail", args=[folded.pk])
    folded.refresh_from_db()
    assert (folded.merged_into, folded.status) == (None, "displaced")
    assert folded.members.filter(is_active=True).count() == 1
    again = client.post(reverse("registry:household-merge-undo", args=[merge.pk]), follow=True)
    assert "This merge was already undone." in again.content.decode()


def test_refusals_are_shown_on_the_form(client, officer, twice, ngo, areas, other_ngo):
    kept, folded = twice
    client.force_login(officer)
    unknown = client.post(merge_url(folded), {"into": "BG-1999-000001", "reason": "r"})
    assert "No household BG-1999-000001 in your scope." in unknown.content.decode()
    itself = client.post(merge_url(folded), {"into": folded.registration_number, "reason": "r"})
    assert "Choose another household than this one." in itself.content.decode()
    foreign = register(other_ngo, areas["karkh"], [head()])
    hidden = client.post(merge_url(folded), {"into": foreign.registration_number, "reason": "r"})
    assert "in your scope" in hidden.content.decode()
    with_head = register(ngo, areas["karkh"], [head(given_name="حسن")])
    body = {"into": kept.registration_number, "reason": "r", "confirm": "1"}
    refused = client.post(merge_url(with_head), body)
    assert refused.status_code == 200
    assert "merge the two heads&#x27; records first" in refused.content.decode()
    assert not HouseholdMerge.objects.exists()
    outsider = member("case_worker", other_ngo)
    client.force_login(outsider)
    assert client.get(merge_url(folded)).status_code == 404


def test_merging_the_more_trusted_household_away_is_warned(client, officer, twice):
    kept, folded = twice
    client.force_login(officer)
    Household.objects.filter(pk=folded.pk).update(address="")
    page = client.post(merge_url(kept), {"into": folded.registration_number, "reason": "r"})
    assert "would be the one kept" in page.content.decode()


def test_undoing_a_person_merge_says_the_household_is_open_again(client, officer, twice):
    kept, folded = twice
    client.force_login(officer)
    person_merge = kept.head.merges_kept.get()
    folded.members.filter(is_active=True).update(is_active=False)  # the son left
    services.household_merge(actor=None, survivor=kept, merged=folded)
    response = client.post(reverse("registry:merge-undo", args=[person_merge.pk]), follow=True)
    page = response.content.decode()
    assert "both records are back as they were" in page
    assert f"Household {folded.registration_number} had been merged into household" in page
    folded.refresh_from_db()
    assert folded.merged_into is None


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api_officer(api_client, officer):
    api_client.force_authenticate(officer)
    return officer


def test_api_merge_list_and_undo(api_client, api_officer, twice):
    kept, folded = twice
    url = f"/api/v1/registry/households/{folded.pk}/merge/"
    response = api_client.post(url, {"survivor": kept.pk, "reason": "Same"}, format="json")
    assert response.status_code == 201, response.data
    assert (response.data["survivor"], response.data["merged"]) == (kept.pk, folded.pk)
    assert response.data["survivor_number"] == kept.registration_number
    assert response.data["decided_by"] == api_officer.username
    assert len(response.data["moved_members"]) == 1
    merge_id = response.data["id"]

    listed = api_client.get("/api/v1/registry/households/").data["results"]
    assert [item["id"] for item in listed] == [kept.pk]
    merged = api_client.get("/api/v1/registry/households/", {"merged": "true"}).data["results"]
    assert [(item["id"], item["merged_into"]) for item in merged] == [(folded.pk, kept.pk)]
    detail = api_client.get(f"/api/v1/registry/households/{folded.pk}/")
    assert (detail.data["status"], detail.data["merged_into"]) == ("closed", kept.pk)
    patched = api_client.patch(
        f"/api/v1/registry/households/{folded.pk}/", {"address": "x"}, format="json"
    )
    assert patched.status_code == 400
    assert "undo the merge" in patched.data["errors"][0]["message"]
    merges = api_client.get("/api/v1/registry/household-merges/").data["results"]
    assert [item["id"] for item in merges] == [merge_id]

    undo = api_client.post(f"/api/v1/registry/household-merges/{merge_id}/undo/")
    assert undo.status_code == 200, undo.data
    assert undo.data["undone_by"] == api_officer.username
    folded.refresh_from_db()
    assert folded.merged_into is None
    again = api_client.post(f"/api/v1/registry/household-merges/{merge_id}/undo/")
    assert again.status_code == 400
    assert again.data["errors"][0]["message"] == "This merge was already undone."


def test_api_refusals(api_client, api_officer, twice, ngo, other_ngo, areas):
    kept, folded = twice
    url = f"/api/v1/registry/households/{folded.pk}/merge/"
    missing = api_client.post(url, {"survivor": kept.pk}, format="json")
    assert (missing.status_code, missing.data["errors"][0]["field"]) == (400, "reason")
    foreign = register(other_ngo, areas["karkh"], [head()])
    hidden = api_client.post(url, {"survivor": foreign.pk, "reason": "r"}, format="json")
    assert hidden.status_code == 400
    assert hidden.data["errors"][0] == {
        "field": "survivor",
        "code": "invalid",
        "message": f"No household {foreign.pk} in your scope.",
    }
    itself = api_client.post(url, {"survivor": folded.pk, "reason": "r"}, format="json")
    assert itself.data["errors"][0]["message"] == "A household cannot be merged with itself."
    with_head = register(ngo, areas["karkh"], [head(given_name="حسن")])
    heads = api_client.post(
        f"/api/v1/registry/households/{with_head.pk}/merge/",
        {"survivor": kept.pk, "reason": "r"},
        format="json",
    )
    assert heads.status_code == 400
    assert "merge the two heads' records first" in heads.data["errors"][0]["message"]
    other = api_client.post(
        f"/api/v1/registry/households/{foreign.pk}/merge/",
        {"survivor": kept.pk, "reason": "r"},
        format="json",
    )
    assert other.status_code == 404
    assert not HouseholdMerge.objects.exists()
    outsider = member("case_worker", other_ngo)
    merge = services.household_merge(actor=None, survivor=kept, merged=folded)
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/registry/household-merges/").data["results"] == []
    undo = api_client.post(f"/api/v1/registry/household-merges/{merge.pk}/undo/")
    assert undo.status_code == 404


def test_a_linkage_runs_merges_read_in_the_readers_language(
    client, api_client, officer, ngo, areas
):
    """A run names itself; the page and the API put its reason into the reader's words."""
    kept = register(ngo, areas["karkh"], [head(source=source("ministry", "M-9"))], size=1)
    folded = register(ngo, areas["karkh"], [head(source=source("distribution", "D-9"))], size=1)
    services.merge_clusters(actor=None, clusters=[{kept.head.pk, folded.head.pk}], linkage_run=41)
    (merge,) = services.household_merge_many(
        actor=None, pairs=[(kept.pk, folded.pk)], linkage_run=41
    ).values()
    client.force_login(officer)
    url = reverse("registry:household-detail", args=[kept.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert page.count("رُبط تلقائيًا في عملية الربط 41") == 2  # the person's and the household's
    assert "Linked automatically" not in page
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english.count("Linked automatically by linkage run 41") == 2

    api_client.force_authenticate(officer)
    response = api_client.get(
        f"/api/v1/registry/household-merges/{merge.pk}/", HTTP_ACCEPT_LANGUAGE="ckb"
    )
    assert response.status_code == 200, response.data
    assert (response.data["linkage_run"], response.data["reason"]) == (
        41,
        "بە شێوەی خۆکار لە کرداری بەستنەوەی 41 بەسترایەوە",
    )
