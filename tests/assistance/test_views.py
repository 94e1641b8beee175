"""The assistance pages end to end through the test client: criteria sets and their versions,
plans with filters, drafting, editing, approving and closing, running a selection and reading
its two lists, the XLSX and PDF downloads, and recording receipts with the refusal of a double
assistance and a supervisor's override. Each role gets what the permission rules say."""

import datetime
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from marsad.assistance import services
from marsad.assistance.models import (
    AssistancePlan,
    CriteriaSet,
    CriteriaSetVersion,
    PlanItem,
    Receipt,
    Selection,
)
from marsad.core.models import AuditAction, AuditEntry, TaskRun
from tests.assistance.factories import (
    FOOD,
    GRANT,
    criteria_set,
    household,
    plan,
    publish,
    receipt,
)
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 2, 1)


@pytest.fixture
def manager(mission):
    return member("programme_manager", mission, username="manager")


@pytest.fixture
def officer(mission):
    return member("im_officer", mission, username="officer")


@pytest.fixture
def reporter(ngo):
    return member("partner_reporter", ngo, username="reporter")


@pytest.fixture
def monitor(ngo):
    return member("field_monitor", ngo, username="monitor")


@pytest.fixture
def grants(areas, ngo, programme, version):
    return plan(ngo, programme, areas["basrah"], criteria_version=version, items=[GRANT, FOOD])


@pytest.fixture
def families(areas, ngo, programme):
    """Three households of PHSS in Al-Zubair scoring 7 (high), 5 (medium) and 2 (low)."""
    zubair = areas["zubair"]
    return {
        "high": household(
            ngo, zubair, female=True, no_income=True, school=True, programme=programme
        ),
        "medium": household(ngo, zubair, female=True, no_income=True, programme=programme),
        "low": household(ngo, zubair, no_income=True, programme=programme),
    }


def login(client, user):
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"assistance:{name}", args=args)


def text(response):
    return html.unescape(response.content.decode())


# --- Navigation and permissions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("programme_manager", True),
        ("im_officer", True),
        ("partner_reporter", True),
        ("field_monitor", True),
        ("aggregate_viewer", False),
    ],
)
def test_the_assistance_menu_entry_follows_the_role(client, ngo, role, shown):
    login(client, member(role, ngo))
    page = text(client.get(reverse("core:home")))
    assert (f'href="{url("plan-list")}"' in page) is shown


def test_an_aggregate_viewer_is_refused_every_page(client, ngo, grants):
    login(client, member("aggregate_viewer", ngo))
    for address in (
        url("plan-list"),
        url("plan-detail", grants.pk),
        url("criteria-set-list"),
        url("receipt-create", grants.pk),
    ):
        assert client.get(address).status_code == 403


def test_another_partner_s_plan_is_not_found(client, other_ngo, grants):
    login(client, member("partner_reporter", other_ngo))
    assert client.get(url("plan-detail", grants.pk)).status_code == 404
    assert client.get(url("receipt-create", grants.pk)).status_code == 404
    assert grants.code not in text(client.get(url("plan-list")))


def test_anonymous_visitors_are_sent_to_sign_in(client, grants):
    response = client.get(url("plan-detail", grants.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Criteria ------------------------------------------------------------------------------


def test_criteria_list_and_a_set_with_its_versions(client, manager, version):
    publish(version.criteria_set, high_min=8, note="Weights reviewed")
    login(client, manager)
    listing = text(client.get(url("criteria-set-list")))
    assert "IOM Household Vulnerability Criteria" in listing
    page = text(client.get(url("criteria-set-detail", version.criteria_set.pk)))
    assert "Weights reviewed" in page
    assert "high from 8, medium from 4" in page
    assert url("criteria-version-create", version.criteria_set.pk) in page


def test_a_version_shows_its_rules_explained(client, manager, version):
    login(client, manager)
    page = text(client.get(url("criteria-version-detail", version.pk)))
    assert "Head of household aged 60 or older" in page
    assert "Fires when the head of household is a woman." in page
    assert "Highest possible score" in page
    assert "from 7 points" in page
    assert "from 4 to 6 points" in page
    assert "up to 3 points" in page


def test_the_new_version_form_starts_from_the_latest(client, manager, version):
    login(client, manager)
    response = client.get(url("criteria-version-create", version.criteria_set.pk))
    formset = response.context["formset"]
    assert len(formset.initial) == 13
    assert formset.initial[1] == {"kind": "elderly_head", "weight": 2, "parameter": 60}
    assert response.context["form"].initial == {"high_min": 7, "medium_min": 4}
    assert 'value="elderly_head" selected' in text(response)


def criteria_post(rows, *, high_min, medium_min, note="", initial=0):
    data = {
        "criteria-TOTAL_FORMS": str(len(rows)),
        "criteria-INITIAL_FORMS": str(initial),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "high_min": str(high_min),
        "medium_min": str(medium_min),
        "note": note,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"criteria-{index}-{key}"] = str(value)
    return data


def test_publishing_the_next_version(client, manager, version):
    login(client, manager)
    rows = [
        {"kind": "female_head", "weight": 4},
        {"kind": "large_household", "weight": 2, "parameter": 7},
        {"kind": "elderly_head", "weight": 2},  # the usual age, 60
        {"kind": "no_income", "weight": 3, "DELETE": "on"},
        {"kind": "", "weight": ""},  # an empty extra row
    ]
    response = client.post(
        url("criteria-version-create", version.criteria_set.pk),
        criteria_post(rows, high_min=6, medium_min=3, note="Larger households"),
    )
    published = CriteriaSetVersion.objects.get(criteria_set=version.criteria_set, number=2)
    assert response.status_code == 302
    assert response["Location"] == url("criteria-version-detail", published.pk)
    assert [(c.kind, c.parameter, c.weight) for c in published.criteria.order_by("position")] == [
        ("female_head", None, 4),
        ("large_household", 7, 2),
        ("elderly_head", 60, 2),
    ]
    assert (published.high_min, published.medium_min, published.note) == (
        6,
        3,
        "Larger households",
    )
    assert published.created_by == manager


def test_the_service_s_problems_are_shown_in_plain_words(client, manager, version):
    login(client, manager)
    rows = [
        {"kind": "female_head", "weight": 3},
        {"kind": "female_head", "weight": 2},
        {"kind": "elderly_head", "weight": 2, "parameter": 200},
    ]
    response = client.post(
        url("criteria-version-create", version.criteria_set.pk),
        criteria_post(rows, high_min=30, medium_min=2),
    )
    assert response.status_code == 200
    page = text(response)
    assert "This version cannot be published yet:" in page
    assert page.count("Criterion 2 repeats criterion 1.") == 1
    assert "Criterion 3: the number must be from 1 to 120." in page
    assert "The high cut-off is above the highest possible score" in page
    assert CriteriaSetVersion.objects.filter(criteria_set=version.criteria_set).count() == 1


def test_creating_a_set_then_its_first_version(client, manager, mission):
    login(client, manager)
    response = client.post(
        url("criteria-set-create"),
        {"organisation": mission.pk, "name": "Returnee criteria", "description": ""},
    )
    created = CriteriaSet.objects.get(name="Returnee criteria")
    assert response["Location"] == url("criteria-version-create", created.pk)
    form = client.get(url("criteria-version-create", created.pk))
    assert form.context["latest"] is None
    assert "The first version of this set" in text(form)


def test_retiring_a_set(client, manager, version):
    login(client, manager)
    response = client.post(
        url("criteria-set-edit", version.criteria_set.pk),
        {"name": version.criteria_set.name, "description": "", "programme": ""},
    )
    assert response.status_code == 302
    version.criteria_set.refresh_from_db()
    assert not version.criteria_set.is_active


@pytest.mark.parametrize("role", ["im_officer", "partner_reporter", "field_monitor"])
def test_only_programme_managers_manage_criteria(client, mission, version, role):
    login(client, member(role, mission))
    assert client.get(url("criteria-set-detail", version.criteria_set.pk)).status_code == 200
    for name in ("criteria-version-create", "criteria-set-edit"):
        assert client.get(url(name, version.criteria_set.pk)).status_code == 403
    assert client.get(url("criteria-set-create")).status_code == 403


# --- Plans ---------------------------------------------------------------------------------


def test_the_plan_list_filters_and_searches(client, manager, areas, ngo, other_ngo, programme):
    first = plan(ngo, programme, areas["basrah"], title="Bakery grants")
    second = plan(
        other_ngo,
        programme,
        areas["zubair"],
        code="PHSS-BA-2026-R2",
        cycle="2026-R2",
        approve=False,
        title="Rice seeds",
    )
    login(client, manager)

    def codes(**query):
        response = client.get(url("plan-list"), query)
        return [item.code for item in response.context["page"]]

    assert sorted(codes()) == sorted([first.code, second.code])
    assert codes(partner="NGO-B") == [second.code]
    assert codes(status="draft") == [second.code]
    assert codes(cycle="2026-r1") == [first.code]
    assert codes(q="bakery") == [first.code]
    assert codes(programme="PHSS", status="approved") == [first.code]
    assert codes(sort="code") == [first.code, second.code]
    assert codes(sort="-code") == [second.code, first.code]


def plan_post(data, items=(), *, initial=0):
    values = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(initial),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        **data,
    }
    for index, item in enumerate(items):
        for key, value in item.items():
            values[f"items-{index}-{key}"] = "" if value is None else str(value)
    return values


def plan_fields(ngo, programme, **overrides):
    return {
        "organisation": ngo.pk,
        "programme": programme.pk,
        "code": "phss-ba-2026-r3",
        "title": "Hygiene kits, Al-Zubair",
        "location": "iqg02q04",
        "start_date": "2026-01-15",
        "cycle": "2026-r3",
        **overrides,
    }


def test_a_partner_drafts_a_plan_with_its_items(client, reporter, ngo, programme, areas):
    donor = OrganisationFactory(code="JP-GOV", kind="donor")
    login(client, reporter)
    form = client.get(url("plan-create")).context["form"]
    assert list(form.fields["donor"].queryset) == [donor]
    assert list(form.fields["organisation"].queryset) == [ngo]
    response = client.post(
        url("plan-create"),
        plan_post(
            plan_fields(ngo, programme, donor=donor.pk),
            [
                {"assistance_type": "hygiene_kit", "quantity": "2", "unit_value_usd": "25"},
                {"assistance_type": "water", "quantity": "100", "DELETE": "on"},
                {"assistance_type": "", "quantity": ""},
            ],
        ),
    )
    created = AssistancePlan.objects.get(code="PHSS-BA-2026-R3")
    assert response["Location"] == url("plan-detail", created.pk)
    assert (created.status, created.cycle, created.donor, created.location) == (
        "draft",
        "2026-R3",
        donor,
        areas["zubair"],
    )
    assert [(i.assistance_type, i.quantity) for i in created.items.all()] == [
        ("hygiene_kit", Decimal("2.00"))
    ]


def test_a_donor_must_be_a_donor_and_a_grant_needs_its_value(
    client, reporter, ngo, programme, areas
):
    login(client, reporter)
    response = client.post(
        url("plan-create"),
        plan_post(plan_fields(ngo, programme, donor=ngo.pk), []),
    )
    assert "donor" in response.context["form"].errors
    response = client.post(
        url("plan-create"),
        plan_post(
            plan_fields(ngo, programme),
            [{"assistance_type": "livelihood_grant", "quantity": "1"}],
        ),
    )
    assert response.status_code == 200
    assert "Give the value in US dollars of an in-kind grant." in text(response)
    assert not AssistancePlan.objects.exists()


def test_editing_a_draft_changes_its_fields_and_items(client, reporter, ngo, programme, areas):
    draft = plan(ngo, programme, areas["basrah"], approve=False, items=[GRANT, FOOD])
    grant, food = (
        draft.items.get(assistance_type="livelihood_grant"),
        draft.items.get(assistance_type="food_parcel"),
    )
    login(client, reporter)
    page = client.get(url("plan-edit", draft.pk))
    assert page.context["form"].initial["location"] == "IQG02"
    response = client.post(
        url("plan-edit", draft.pk),
        plan_post(
            {**plan_fields(ngo, programme), "code": draft.code, "title": "Grants, revised"},
            [
                {
                    "id": grant.pk,
                    "assistance_type": "livelihood_grant",
                    "quantity": "1",
                    "unit_value_usd": "1800",
                },
                {"id": food.pk, "assistance_type": "food_parcel", "quantity": "1", "DELETE": "on"},
                {"assistance_type": "nfi_kit", "quantity": "1", "unit_value_usd": "40"},
            ],
            initial=2,
        ),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Grants, revised"
    assert sorted((item.assistance_type, item.unit_value_usd) for item in draft.items.all()) == [
        ("livelihood_grant", Decimal("1800.00")),
        ("nfi_kit", Decimal("40.00")),
    ]


def test_an_approved_plan_changes_only_its_end_date_and_notes(client, reporter, grants):
    login(client, reporter)
    form = client.get(url("plan-edit", grants.pk)).context["form"]
    assert list(form.fields) == ["end_date", "notes"]
    response = client.post(
        url("plan-edit", grants.pk), {"end_date": "2026-12-31", "notes": "Second site added"}
    )
    assert response.status_code == 302
    grants.refresh_from_db()
    assert (grants.end_date, grants.notes) == (datetime.date(2026, 12, 31), "Second site added")


def test_supervisors_approve_and_close(client, manager, reporter, ngo, programme, areas):
    draft = plan(ngo, programme, areas["basrah"], approve=False)
    login(client, reporter)
    page = text(client.get(url("plan-detail", draft.pk)))
    assert url("plan-approve", draft.pk) not in page
    assert client.post(url("plan-approve", draft.pk)).status_code == 403
    login(client, manager)
    assert url("plan-approve", draft.pk) in text(client.get(url("plan-detail", draft.pk)))
    assert client.get(url("plan-approve", draft.pk)).status_code == 405
    response = client.post(url("plan-approve", draft.pk), follow=True)
    assert "is approved" in text(response)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("approved", manager)
    client.post(url("plan-close", draft.pk))
    draft.refresh_from_db()
    assert draft.status == "closed"
    response = client.post(url("plan-close", draft.pk), follow=True)
    assert "Only an approved plan is closed; this plan is closed." in text(response)


def test_the_plan_page_shows_items_criteria_selection_and_receipts(
    client, reporter, grants, families, version
):
    services.selection_run(
        actor=None, plan=grants, statuses=["displaced"], as_of=datetime.date(2026, 3, 1)
    )
    receipt(grants, families["high"], id_checked=True)
    login(client, reporter)
    response = client.get(url("plan-detail", grants.pk))
    page = text(response)
    assert "In-kind livelihood grant" in page
    assert "1600.00" in page
    assert "IOM Household Vulnerability Criteria, version 1" in page
    assert response.context["latest"].included_count == 3
    assert response.context["receipt_count"] == 1
    assert "1 receipt recorded." in page
    assert families["high"].registration_number in page
    assert url("receipt-create", grants.pk) in page


# --- Selection -----------------------------------------------------------------------------


def select(client, plan, **data):
    values = {"statuses": ["displaced"], "as_of": "2026-03-01", **data}
    return client.post(url("selection-run", plan.pk), values)


def test_running_a_selection_opens_its_lists(client, reporter, grants, families):
    login(client, reporter)
    form = client.get(url("selection-run", grants.pk)).context["form"]
    assert form.fields["as_of"].initial == datetime.date.today()
    response = select(client, grants, quota="2")
    selection = Selection.objects.get()
    assert response["Location"] == url("selection-detail", selection.pk)
    page = client.get(response["Location"])
    rows = page.context["rows"]
    assert [row["household"] for row in rows] == [families["high"], families["medium"]]
    assert rows[0]["category"] == "High"
    assert rows[0]["head"] == "فاطمة جاسم علي الجبوري"
    assert rows[0]["fired"] == [
        "Female-headed household",
        "No regular income",
        "Critical shelter",
    ]
    html = text(page)
    assert "2 of 3 households are on the beneficiary list; left out: 1." in html
    assert "Beyond the quota: <strong>1</strong>" in html

    excluded = client.get(url("selection-detail", selection.pk), {"tab": "excluded"})
    assert [row["household"] for row in excluded.context["rows"]] == [families["low"]]
    assert excluded.context["rows"][0]["reason"] == "Beyond the quota"


def test_the_lists_sort_by_a_column(client, reporter, grants, families):
    login(client, reporter)
    selection = Selection.objects.get(pk=select(client, grants)["Location"].split("/")[-2])

    def order(sort):
        response = client.get(url("selection-detail", selection.pk), {"sort": sort})
        return [row["entry"].score for row in response.context["rows"]]

    assert order("rank") == [7, 5, 2]
    assert order("score") == [2, 5, 7]
    assert order("-score") == [7, 5, 2]
    assert order("nonsense") == [7, 5, 2]
    headers = (
        client.get(url("selection-detail", selection.pk), {"sort": "score"})
        .context["table"]
        .headers
    )
    score = next(header for header in headers if header["current"])
    assert (score["aria_sort"], score["url"]) == ("ascending", "?sort=-score")


def test_the_list_pages_read_a_constant_number_of_queries(
    client, reporter, grants, families, areas, ngo, django_assert_max_num_queries
):
    login(client, reporter)
    select(client, grants)
    selection = Selection.objects.get()
    client.get(url("selection-detail", selection.pk))  # warm the session and the user
    with django_assert_max_num_queries(14):
        client.get(url("selection-detail", selection.pk))
    for _ in range(5):
        household(ngo, areas["zubair"], female=True)
    select(client, grants)
    larger = Selection.objects.latest("pk")
    with django_assert_max_num_queries(14):
        response = client.get(url("selection-detail", larger.pk))
    assert len(response.context["rows"]) == 8


def test_a_selection_s_refusals_show_on_the_form(client, reporter, grants, families):
    login(client, reporter)
    response = select(client, grants, areas="IQG08Q03 XX99", quota="0")
    form = response.context["form"]
    assert form.errors["areas"] == ["Not known P-codes: XX99."]
    assert "quota" in form.errors
    response = select(client, grants, areas="IQG08Q03")
    assert "Al-Karkh lie outside the plan's location, Al-Basrah." in text(response)
    assert not Selection.objects.exists()


def test_a_household_s_score_is_explained(client, reporter, grants, families):
    login(client, reporter)
    select(client, grants)
    selection = Selection.objects.get()
    page = text(client.get(url("selection-entry", selection.pk, families["high"].pk)))
    assert "Score 7: High vulnerability (high from 7, medium from 4)." in page
    assert "The head of household is a woman." in page
    assert "The household lives in critical shelter: Critical: school building." in page


# --- Downloads ------------------------------------------------------------------------------


@pytest.fixture
def selection(grants, families):
    return services.selection_run(
        actor=None, plan=grants, statuses=["displaced"], as_of=datetime.date(2026, 3, 1), quota=2
    )


def test_the_workbook_holds_both_lists(client, reporter, selection, families):
    login(client, reporter)
    response = client.get(url("selection-xlsx", selection.pk))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    beneficiaries, excluded, about = workbook.worksheets
    rows = list(beneficiaries.iter_rows(values_only=True))
    assert rows[0][:4] == ("Rank", "Registration number", "Head of household", "Size")
    assert [(row[0], row[1], row[6], row[7]) for row in rows[1:]] == [
        (1, families["high"].registration_number, 7, "High"),
        (2, families["medium"].registration_number, 5, "Medium"),
    ]
    assert rows[1][2] == "فاطمة جاسم علي الجبوري"
    assert rows[1][8] == "Female-headed household; No regular income; Critical shelter"
    left = list(excluded.iter_rows(values_only=True))
    assert left[0][-3:] == ("Reason", "Linked household", "Earlier receipt")
    assert [(row[1], row[9]) for row in left[1:]] == [
        (families["low"].registration_number, "Beyond the quota")
    ]
    assert ("Households included", "2") in list(about.iter_rows(values_only=True))
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.object_type, entry.context["format"], entry.context["rows"]) == (
        "assistance.selection",
        "xlsx",
        3,
    )


def pdf_text(content):
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_printable_list_has_the_beneficiaries_and_a_signature_column(
    client, reporter, selection, families
):
    login(client, reporter)
    response = client.get(url("selection-pdf", selection.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    content = pdf_text(response.content)
    assert "Signature or thumbprint" in content
    assert families["high"].registration_number in content
    assert families["medium"].registration_number in content
    assert families["low"].registration_number not in content
    for word in ("فاطمة", "جاسم", "الجبوري"):
        assert word in content
    assert AuditEntry.objects.get(action=AuditAction.EXPORT).context["format"] == "pdf"


def test_the_printable_list_in_arabic_reads_from_the_right(client, reporter, selection):
    login(client, reporter)
    client.cookies["django_language"] = "ar"
    response = client.get(url("selection-pdf", selection.pk), HTTP_ACCEPT_LANGUAGE="ar")
    assert response.content.startswith(b"%PDF")
    assert selection.plan.code in pdf_text(response.content)


def test_the_pdf_says_which_fonts_are_missing(client, reporter, selection, settings, tmp_path):
    settings.MARSAD_PDF_FONT_DIR = str(tmp_path)
    login(client, reporter)
    response = client.get(url("selection-pdf", selection.pk), follow=True)
    assert "fonts-noto-core" in text(response)
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_exports_need_the_export_capability(client, monitor, selection):
    login(client, monitor)
    assert client.get(url("selection-detail", selection.pk)).status_code == 200
    assert client.get(url("selection-xlsx", selection.pk)).status_code == 403
    assert client.get(url("selection-pdf", selection.pk)).status_code == 403


# --- Receipts -------------------------------------------------------------------------------


def receipt_post(household, item, **data):
    return {
        "household": household.pk,
        "item": item.pk,
        "received_on": ON.isoformat(),
        **data,
    }


def test_finding_a_household_by_number_or_name_in_either_script(client, reporter, grants, families):
    services.selection_run(
        actor=None, plan=grants, statuses=["displaced"], as_of=datetime.date(2026, 3, 1)
    )
    login(client, reporter)
    by_number = client.get(
        url("receipt-create", grants.pk), {"q": families["low"].registration_number}
    )
    assert [found for found, _rank in by_number.context["results"]] == [families["low"]]
    by_name = client.get(url("receipt-create", grants.pk), {"q": "Fatima"})
    assert {found for found, _rank in by_name.context["results"]} == {
        families["high"],
        families["medium"],
    }
    assert "rank 1" in text(by_name)


def test_recording_a_receipt(client, reporter, grants, families):
    family = families["high"]
    item = grants.items.get(assistance_type="food_parcel")
    head = family.members.get()
    login(client, reporter)
    form = client.get(url("receipt-create", grants.pk), {"household": family.pk}).context["form"]
    assert list(form.fields["person"].queryset) == [head]
    assert "override_reason" not in form.fields
    response = client.post(
        url("receipt-create", grants.pk),
        receipt_post(family, item, person=head.pk, id_checked="on", thumbprint="on"),
        follow=True,
    )
    recorded = Receipt.objects.get()
    assert (recorded.household, recorded.item, recorded.person, recorded.recorded_by) == (
        family,
        item,
        head,
        reporter,
    )
    assert (recorded.id_checked, recorded.signed, recorded.thumbprint) == (True, False, True)
    assert recorded.quantity == Decimal("1.00")
    page = text(response)
    assert f"Receipt {recorded.pk} is recorded: household {family.registration_number}" in page
    assert response.context["receipt_count"] == 1


def test_a_second_receipt_is_refused_naming_the_earlier_one(client, reporter, grants, families):
    family = families["high"]
    earlier = receipt(grants, family, item=grants.items.get(assistance_type="food_parcel"))
    login(client, reporter)
    response = client.post(
        url("receipt-create", grants.pk),
        receipt_post(family, earlier.item, override_reason="Lost parcel"),
    )
    page = text(response)
    assert "Refused: already assisted in this cycle." in page
    assert f"receipt {earlier.pk} on" in page
    assert f"under plan {grants.code}" in page
    assert "override_reason" not in response.context["form"].fields
    assert "Ask a programme manager or an IM officer" in page
    assert Receipt.objects.count() == 1


def test_a_supervisor_overrides_with_a_reason(client, officer, grants, families):
    family = families["high"]
    earlier = receipt(grants, family, item=grants.items.get(assistance_type="food_parcel"))
    login(client, officer)
    refused = client.post(url("receipt-create", grants.pk), receipt_post(family, earlier.item))
    form = refused.context["form"]
    assert form.fields["override_reason"].required
    assert form.initial["household"] == family
    assert "Record as an override" in text(refused)
    missing = client.post(
        url("receipt-create", grants.pk),
        receipt_post(family, earlier.item, override_reason="  "),
    )
    assert "override_reason" in missing.context["form"].errors
    assert Receipt.objects.count() == 1
    response = client.post(
        url("receipt-create", grants.pk),
        receipt_post(family, earlier.item, override_reason="The first parcel was stolen"),
        follow=True,
    )
    second = Receipt.objects.exclude(pk=earlier.pk).get()
    assert (second.override, second.overrides_receipt, second.overridden_by) == (
        True,
        earlier,
        officer,
    )
    assert second.override_reason == "The first parcel was stolen"
    assert "is recorded as an override" in text(response)
    assert "The first parcel was stolen" in text(response)


def test_receipt_refusals_by_field(client, reporter, grants, families):
    item = grants.items.get(assistance_type="food_parcel")
    login(client, reporter)
    response = client.post(
        url("receipt-create", grants.pk),
        receipt_post(families["high"], item, received_on="2025-12-01"),
    )
    assert (
        response.context["form"]
        .errors["received_on"][0]
        .startswith("The date received must fall within the plan's dates")
    )
    assert not Receipt.objects.exists()


def test_receipts_wait_for_an_approved_plan(client, reporter, ngo, programme, areas):
    draft = plan(ngo, programme, areas["basrah"], approve=False)
    login(client, reporter)
    page = text(client.get(url("receipt-create", draft.pk)))
    assert "Receipts are recorded only for approved plans; this plan is draft." in page


def test_a_household_out_of_scope_cannot_be_chosen(client, reporter, grants, areas, other_ngo):
    stranger = household(other_ngo, areas["zubair"])
    item = grants.items.get(assistance_type="food_parcel")
    login(client, reporter)
    response = client.get(url("receipt-create", grants.pk), {"household": stranger.pk})
    assert response.context["household"] is None
    response = client.post(url("receipt-create", grants.pk), receipt_post(stranger, item))
    assert response.context["household"] is None
    assert not Receipt.objects.exists()


def test_criteria_items_and_plan_choices_are_scoped(client, reporter, ngo, other_ngo, version):
    """A partner's plan form offers only the criteria versions the partner may see: its own and
    the mission's, not another partner's."""
    own = publish(criteria_set(ngo, name="NGO-A criteria"))
    publish(criteria_set(other_ngo, name="NGO-B criteria"))
    login(client, reporter)
    form = client.get(url("plan-create")).context["form"]
    assert set(form.fields["criteria_version"].queryset) == {own, version}
    assert PlanItem.objects.count() == 0


# --- Selections over many households run in the background -----------------------------------


@pytest.fixture
def in_background(monkeypatch):
    from marsad.assistance import views_selection

    monkeypatch.setattr(views_selection, "BACKGROUND_FROM", 0)


def test_a_large_selection_runs_in_the_background_and_opens_its_list(
    client, reporter, grants, families, in_background, django_capture_on_commit_callbacks
):
    login(client, reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = select(client, grants, quota="2")
    run = TaskRun.objects.get()
    assert response["Location"] == url("selection-progress", grants.pk, run.pk)
    assert (run.status, run.created_by) == ("succeeded", reporter)
    selection = Selection.objects.get()
    assert run.result == {
        "plan": grants.pk,
        "selection": selection.pk,
        "considered": 3,
        "included": 2,
    }
    assert run.message == "2 of 3 households are on the beneficiary list."
    page = client.get(response["Location"])
    assert page["Location"] == url("selection-detail", selection.pk)
    polled = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == url("selection-detail", selection.pk)


def test_a_background_selection_s_refusal_is_shown(
    client, reporter, grants, families, in_background, django_capture_on_commit_callbacks
):
    login(client, reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = select(client, grants, areas="IQG02Q04", minimum_category="high", as_of="")
    assert response.status_code == 200  # the form's own checks come first
    with django_capture_on_commit_callbacks(execute=True):
        response = select(client, grants, areas="IQG08Q03")
    run = TaskRun.objects.get()
    assert run.status == "failed"
    page = text(client.get(response["Location"]))
    assert "Al-Karkh lie outside the plan's location, Al-Basrah." in page
    assert "Back to the plan" in page
    assert not Selection.objects.exists()


def test_another_user_s_selection_task_is_not_found(
    client, reporter, monitor, grants, families, in_background, django_capture_on_commit_callbacks
):
    login(client, reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = select(client, grants)
    login(client, monitor)
    assert client.get(response["Location"]).status_code == 404
