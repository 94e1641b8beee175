"""Displacement pages: rounds and assessments for the roles that see records (aggregate viewers
are refused), the edit page saving every row in one transaction or nothing, the workflow
buttons only for those who may press them, and the transitions by POST."""

import datetime

import pytest
from django.urls import reverse

from marsad.core.models import AuditEntry
from marsad.displacement import services
from marsad.displacement.models import (
    AssessmentRound,
    Intention,
    LocationAssessment,
    PopulationGroup,
    SectorNeed,
)
from marsad.displacement.views import optional_url
from tests.displacement.factories import period
from tests.displacement.test_selectors import pages_world
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas, ngo, other_ngo):
    return pages_world(areas, ngo, other_ngo)


def get(client, user, url, **headers):
    if user is not None:
        client.force_login(user)
    return client.get(url, **headers)


def html_of(client, user, url, **headers) -> str:
    response = get(client, user, url, **headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail_url(assessment) -> str:
    return reverse("displacement:assessment-detail", args=[assessment.pk])


def edit_url(assessment) -> str:
    return reverse("displacement:assessment-edit", args=[assessment.pk])


def transition_url(assessment, action) -> str:
    return reverse("displacement:assessment-transition", args=[assessment.pk, action])


# --- Rounds --------------------------------------------------------------------------------------


def test_round_list_for_a_field_monitor(client, world, ngo):
    html = html_of(client, member("field_monitor", ngo), reverse("displacement:round-list"))
    assert reverse("displacement:round-detail", args=[4]) in html
    assert reverse("displacement:round-detail", args=[5]) in html
    assert "2008-01-01 – 2008-01-28" in html
    assert "New round" not in html


@pytest.mark.parametrize("role", ["aggregate_viewer", None])
def test_round_list_refused_without_record_access(client, world, ngo, role):
    user = member(role, ngo) if role else member("field_monitor")
    if role is None:
        user.memberships.all().delete()
    assert get(client, user, reverse("displacement:round-list")).status_code == 403


def test_record_pages_send_the_anonymous_to_sign_in(client, world):
    for url in (
        reverse("displacement:round-list"),
        reverse("displacement:round-detail", args=[4]),
        detail_url(world.baghdad),
        edit_url(world.baghdad),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_round_create_by_an_im_officer(client, world, ngo):
    user = member("im_officer", ngo)
    html = html_of(client, user, reverse("displacement:round-list"))
    assert "New round" in html
    html_of(client, user, reverse("displacement:round-create"))
    response = client.post(
        reverse("displacement:round-create"),
        {
            "number": 6,
            "kind": "return_monitoring",
            "period_start": "2008-03-01",
            "period_end": "2008-03-28",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("displacement:round-detail", args=[6])
    created = AssessmentRound.objects.get(number=6)
    assert (created.kind, created.status) == ("return_monitoring", "open")
    assert AuditEntry.objects.filter(
        object_type="displacement.assessmentround", object_id=str(created.pk), action="create"
    ).exists()


def test_round_create_shows_the_services_error_by_the_field(client, world, ngo):
    client.force_login(member("im_officer", ngo))
    response = client.post(
        reverse("displacement:round-create"),
        {"number": 7, "kind": "baseline", "period_start": "2008-03-28", "period_end": "2008-03-01"},
    )
    assert response.status_code == 200
    assert "before it starts" in response.content.decode()
    assert not AssessmentRound.objects.filter(number=7).exists()


def test_round_create_refused_to_a_field_monitor(client, world, ngo):
    client.force_login(member("field_monitor", ngo))
    assert client.get(reverse("displacement:round-create")).status_code == 403
    response = client.post(
        reverse("displacement:round-create"),
        {"number": 6, "kind": "baseline", "period_start": "2008-03-01", "period_end": "2008-03-28"},
    )
    assert response.status_code == 403
    assert not AssessmentRound.objects.filter(number=6).exists()


def test_round_detail_lists_the_visible_assessments_with_totals(client, world, ngo):
    html = html_of(
        client, member("partner_reporter", ngo), reverse("displacement:round-detail", args=[4])
    )
    assert "Al-Mansour" in html
    assert "Zubair town" in html
    assert "Al-Adel" not in html  # another organisation's
    assert '<td class="number">14</td>' in html
    assert '<td class="number">80</td>' in html
    assert 'data-status="draft">Draft 2</span>' in html
    assert "Close the round" not in html


def test_round_detail_filters_by_arabic_name_area_and_type(client, world, mission):
    user = member("system_admin", mission)
    url = reverse("displacement:round-detail", args=[4])
    html = html_of(client, user, url + "?q=منصور")
    assert "Al-Mansour" in html
    assert "Al-Adel" not in html
    assert "Zubair town" not in html
    html = html_of(client, user, url + "?area=IQG02")
    assert "Zubair town" in html
    assert "Al-Mansour" not in html
    html = html_of(client, user, url + "?population_type=returnee&status=submitted")
    assert "Al-Adel" in html
    assert "Al-Mansour" not in html
    html = html_of(client, user, url + "?area=NOPE")
    assert "No administrative area has this P-code." in html


def test_round_detail_in_arabic(client, world, ngo):
    html = html_of(
        client,
        member("field_monitor", ngo),
        reverse("displacement:round-detail", args=[4]),
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert '<html lang="ar" dir="rtl">' in html
    assert "<bdi>المنصور</bdi>" in html


def test_round_detail_unknown_and_refused(client, world, ngo):
    assert (
        get(client, member("field_monitor", ngo), reverse("displacement:round-detail", args=[99]))
    ).status_code == 404
    assert (
        get(client, member("aggregate_viewer", ngo), reverse("displacement:round-detail", args=[4]))
    ).status_code == 403


def test_round_status_buttons_and_changes_for_im_officers_only(client, world, ngo):
    url = reverse("displacement:round-detail", args=[4])
    status_url = reverse("displacement:round-status", args=[4])
    monitor = member("field_monitor", ngo)
    assert "Close the round" not in html_of(client, monitor, url)
    assert client.post(status_url, {"status": "closed"}).status_code == 403
    world.round4.refresh_from_db()
    assert world.round4.status == "open"

    im = member("im_officer", ngo)
    html = html_of(client, im, url)
    assert 'name="status" value="closed"' in html
    assert 'name="status" value="published"' not in html
    assert client.post(status_url, {"status": "closed"}).status_code == 302
    world.round4.refresh_from_db()
    assert world.round4.status == "closed"
    html = html_of(client, im, url)
    assert "Reopen the round" in html
    assert "Publish the round" in html
    # Skipping back is refused with the service's words, and nothing changes.
    response = client.post(status_url, {"status": "closed"}, follow=True)
    assert "already closed" in response.content.decode()
    assert client.get(status_url).status_code == 405


def test_optional_url_resolves_with_or_without_the_round(world):
    assert optional_url("displacement:round-detail", number=4) == "/displacement/rounds/4/"
    assert optional_url("displacement:round-list", number=4) == "/displacement/rounds/"
    assert optional_url("displacement:no-such-page", number=4) == ""


# --- Assessment detail ---------------------------------------------------------------------------


def test_assessment_detail_shows_everything_found(client, world, ngo):
    html = html_of(client, member("partner_reporter", ngo), detail_url(world.baghdad))
    assert "<bdi>Al-Mansour</bdi>" in html
    assert ">Baghdad</bdi></a>" in html  # parent chain
    assert ">Al-Karkh</bdi></a>" in html
    assert "February 2006 – December 2008" in html
    assert "Private: rented housing" in html
    assert "Total IDPs" in html
    assert '<td class="number">14</td><td class="number">80</td>' in html
    needs = html[html.index('id="needs"') :]
    assert needs.index("Food") < needs.index("Water") < needs.index("Health care")
    assert "Return to origin" in html
    assert "No recorded changes." in html  # made by factories, not through the services


def test_assessment_detail_in_arabic(client, world, ngo):
    html = html_of(
        client,
        member("partner_reporter", ngo),
        detail_url(world.baghdad),
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert 'dir="rtl"' in html
    assert "<bdi>المنصور</bdi>" in html
    assert "شباط 2006 – كانون الأول 2008" in html


def test_assessment_detail_refused_outside_scope(client, world, ngo, other_ngo):
    assert (
        get(client, member("partner_reporter", other_ngo), detail_url(world.baghdad)).status_code
        == 404
    )
    assert (
        get(client, member("aggregate_viewer", ngo), detail_url(world.baghdad)).status_code == 403
    )
    narrowed = member("field_monitor", ngo, areas=[world.areas["basrah"]])
    assert get(client, narrowed, detail_url(world.baghdad)).status_code == 404


def test_restricted_assessment_read_is_audited(client, world, ngo):
    LocationAssessment.objects.filter(pk=world.basrah.pk).update(sensitivity="restricted")
    user = member("im_officer", ngo)
    html_of(client, user, detail_url(world.basrah))
    assert (
        AuditEntry.objects.filter(
            action="read",
            object_type="displacement.locationassessment",
            object_id=str(world.basrah.pk),
        ).count()
        == 1
    )
    # A partner reporter is not cleared for restricted records.
    assert get(client, member("partner_reporter", ngo), detail_url(world.basrah)).status_code == 404


def test_version_history_shows_row_corrections(client, world, ngo):
    im = member("im_officer", ngo)
    group = world.basrah.population_groups.get()
    services.population_group_save(
        actor=im, assessment=world.basrah, data={"families": 6, "individuals": 33}, instance=group
    )
    html = html_of(client, member("field_monitor", ngo), detail_url(world.basrah))
    versions = html[html.index('id="versions"') :]
    assert "Population group" in versions
    assert "Families</dt>" in versions
    assert ">5</bdi>" in versions
    assert ">6</bdi>" in versions


# --- Workflow ------------------------------------------------------------------------------------


def buttons(html: str) -> set[str]:
    return {
        action
        for action in ("submit", "validate", "publish", "return")
        if f'data-action="{action}"' in html
    }


def test_workflow_buttons_follow_role_and_status(client, world, ngo, other_ngo, mission):
    monitor = member("field_monitor", ngo)
    assert buttons(html_of(client, monitor, detail_url(world.baghdad))) == {"submit"}
    assert buttons(html_of(client, member("im_officer", ngo), detail_url(world.baghdad))) == {
        "submit"
    }
    admin = member("system_admin", mission)
    assert buttons(html_of(client, admin, detail_url(world.other))) == {"validate", "return"}
    other_monitor = member("field_monitor", other_ngo)
    assert buttons(html_of(client, other_monitor, detail_url(world.other))) == set()
    assert buttons(html_of(client, admin, detail_url(world.published))) == set()
    html = html_of(client, monitor, detail_url(world.published))
    assert buttons(html) == set()
    assert edit_url(world.published) not in html


def test_transitions_by_post(client, world, ngo):
    monitor = member("field_monitor", ngo)
    client.force_login(monitor)
    assert client.get(transition_url(world.baghdad, "submit")).status_code == 405
    response = client.post(transition_url(world.baghdad, "submit"))
    assert response.status_code == 302
    assert response.url == detail_url(world.baghdad)
    world.baghdad.refresh_from_db()
    assert world.baghdad.status == "submitted"

    # The monitor may not validate; nothing changes and nothing is logged.
    logged = AuditEntry.objects.count()
    assert client.post(transition_url(world.baghdad, "validate")).status_code == 403
    world.baghdad.refresh_from_db()
    assert world.baghdad.status == "submitted"
    assert AuditEntry.objects.count() == logged

    client.force_login(member("im_officer", ngo))
    response = client.post(transition_url(world.baghdad, "return"), {"reason": ""}, follow=True)
    assert "Say why the assessment goes back to draft." in response.content.decode()
    world.baghdad.refresh_from_db()
    assert world.baghdad.status == "submitted"
    client.post(transition_url(world.baghdad, "return"), {"reason": "Origin of row 2 missing"})
    world.baghdad.refresh_from_db()
    assert world.baghdad.status == "draft"
    entry = AuditEntry.objects.filter(
        object_type="displacement.locationassessment", object_id=str(world.baghdad.pk)
    ).first()
    assert entry.context["reason"] == "Origin of row 2 missing"
    html = html_of(client, monitor, detail_url(world.baghdad))
    assert "Origin of row 2 missing" in html


def test_validate_and_publish_by_an_im_officer(client, world, ngo):
    client.force_login(member("im_officer", ngo))
    client.post(transition_url(world.baghdad, "submit"))
    client.post(transition_url(world.baghdad, "validate"))
    world.baghdad.refresh_from_db()
    assert world.baghdad.status == "validated"
    client.post(transition_url(world.baghdad, "publish"))
    world.baghdad.refresh_from_db()
    assert world.baghdad.status == "published"
    response = client.post(transition_url(world.baghdad, "publish"), follow=True)
    assert "only an assessment that is validated can be published" in response.content.decode()


def test_submit_without_population_is_refused_in_words(client, world, ngo):
    client.force_login(member("field_monitor", ngo))
    empty = LocationAssessment.objects.create(
        round=world.round5,
        organisation=ngo,
        area=world.zubair_town,
        assessed_on=datetime.date(2008, 2, 20),
    )
    response = client.post(transition_url(empty, "submit"), follow=True)
    assert "Add at least one population group" in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == "draft"


def test_unknown_transition_is_not_a_page(client, world, ngo):
    client.force_login(member("im_officer", ngo))
    assert client.post(f"/displacement/assessments/{world.baghdad.pk}/delete/").status_code == 404


# --- Create --------------------------------------------------------------------------------------


def assessment_fields(**overrides) -> dict:
    fields = {
        "assessed_on": "2008-01-20",
        "monitor_name": "",
        "method": "key_informants",
        "key_informants": "3",
        "documentation_status": "unknown",
        "property_status": "unknown",
        "security_notes": "",
        "access_notes": "",
    }
    fields.update(overrides)
    return fields


def test_assessment_create_by_a_field_monitor(client, world, ngo, areas):
    from tests.displacement.factories import location

    new_place = location("IQG08Q03L003", areas["karkh"], name_en="Al-Jihad")
    monitor = member("field_monitor", ngo, areas=[areas["baghdad"]])
    url = reverse("displacement:assessment-create", args=[4])
    html = html_of(client, monitor, url)
    assert 'value="2008-01-28"' in html  # the round's end, as the default date
    response = client.post(
        url,
        {
            "area": "IQG08Q03L003",
            "organisation": ngo.pk,
            "programme": "",
            "sensitivity": "normal",
            **assessment_fields(),
        },
    )
    created = LocationAssessment.objects.get(area=new_place)
    assert response.status_code == 302
    assert response.url == edit_url(created)
    assert (created.status, created.organisation, created.round) == ("draft", ngo, world.round4)


def test_assessment_create_errors_name_the_field_and_save_nothing(client, world, ngo, areas):
    from tests.displacement.factories import location

    location("IQG08Q03L003", areas["karkh"], name_en="Al-Jihad")
    monitor = member("field_monitor", ngo)
    client.force_login(monitor)
    url = reverse("displacement:assessment-create", args=[4])
    before = LocationAssessment.objects.count()
    response = client.post(
        url,
        {
            "area": "IQG08Q03L003",
            "organisation": ngo.pk,
            "sensitivity": "normal",
            **assessment_fields(assessed_on="2008-03-01"),
        },
    )
    assert response.status_code == 200
    assert "is outside round 4" in response.content.decode()
    response = client.post(
        url,
        {"area": "IQG08", "organisation": ngo.pk, "sensitivity": "normal", **assessment_fields()},
    )
    assert "No location (level 4 area) has this P-code." in response.content.decode()
    assert LocationAssessment.objects.count() == before


def test_assessment_create_refused_to_aggregate_viewers(client, world, ngo):
    url = reverse("displacement:assessment-create", args=[4])
    assert get(client, member("aggregate_viewer", ngo), url).status_code == 403


# --- Edit ----------------------------------------------------------------------------------------


def formset(prefix: str, rows: list[dict], initial: int) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = "" if value is None else value
    return data


def group_row(group=None, **values) -> dict:
    row = {
        "id": group.pk if group else "",
        "population_type": group.population_type if group else "idp",
        "origin_area": group.origin_area.pcode if group and group.origin_area else "",
        "displacement_period": group.displacement_period_id if group else "",
        "shelter_category": group.shelter_category if group else "",
        "families": group.families if group else "",
        "individuals": group.individuals if group else "",
    }
    row.update(values)
    return row


def test_edit_saves_the_assessment_groups_needs_and_intentions(client, world, ngo):
    assessment = world.basrah
    group = assessment.population_groups.get()
    monitor = member("field_monitor", ngo)
    html = html_of(client, monitor, edit_url(assessment))
    assert 'name="groups-0-families"' in html
    data = {
        **assessment_fields(assessed_on="2008-01-12", monitor_name="Zainab"),
        **formset(
            "groups",
            [
                group_row(group, families=8, individuals=50),
                group_row(
                    population_type="idp",
                    origin_area="IQG08",
                    displacement_period=period("aug-2014").pk,
                    shelter_category="camp",
                    families=4,
                    individuals="",
                ),
            ],
            initial=1,
        ),
        **formset("needs", [{"id": "", "sector": "water", "priority": 1, "severity": 4}], 0),
        **formset(
            "intentions",
            [{"id": "", "population_type": "idp", "intention": "return", "families": 3}],
            0,
        ),
    }
    response = client.post(edit_url(assessment), data)
    assert response.status_code == 302, response.content.decode()
    assert response.url == detail_url(assessment)
    assessment.refresh_from_db()
    assert assessment.monitor_name == "Zainab"
    group.refresh_from_db()
    assert (group.families, group.individuals) == (8, 50)
    camp = PopulationGroup.objects.get(assessment=assessment, shelter_category="camp")
    assert (camp.families, camp.individuals, camp.individuals_estimated) == (4, 20, True)
    assert camp.origin_area.pcode == "IQG08"
    need = SectorNeed.objects.get(assessment=assessment)
    assert (need.sector, need.priority, need.severity) == ("water", 1, 4)
    assert Intention.objects.get(assessment=assessment).families == 3


def test_edit_deletes_a_ticked_row_and_leaves_unchanged_rows_alone(client, world, ngo):
    assessment = world.baghdad
    groups = list(assessment.population_groups.all())
    monitor = member("field_monitor", ngo)
    client.force_login(monitor)
    rows = [group_row(group) for group in groups]
    host = next(index for index, group in enumerate(groups) if group.population_type == "host")
    rows[host]["DELETE"] = "on"
    needs = list(assessment.needs.all())
    intentions = list(assessment.intentions.all())
    logged = AuditEntry.objects.count()
    data = {
        **assessment_fields(assessed_on="2008-01-10"),
        **formset("groups", rows, len(rows)),
        **formset(
            "needs",
            [
                {"id": n.pk, "sector": n.sector, "priority": n.priority, "severity": n.severity}
                for n in needs
            ],
            len(needs),
        ),
        **formset(
            "intentions",
            [
                {
                    "id": i.pk,
                    "population_type": i.population_type,
                    "intention": i.intention,
                    "families": i.families,
                }
                for i in intentions
            ],
            len(intentions),
        ),
        "key_informants": "",
    }
    response = client.post(edit_url(assessment), data)
    assert response.status_code == 302
    assert not PopulationGroup.objects.filter(pk=groups[host].pk).exists()
    assert PopulationGroup.objects.filter(assessment=assessment).count() == 3
    # One delete, nothing else written.
    new_entries = AuditEntry.objects.order_by("id")[logged:]
    assert [(e.object_type, e.action) for e in new_entries] == [
        ("displacement.populationgroup", "delete")
    ]


def test_an_invalid_row_leaves_nothing_changed_and_says_why(client, world, ngo):
    assessment = world.basrah
    group = assessment.population_groups.get()
    monitor = member("field_monitor", ngo)
    client.force_login(monitor)
    logged = AuditEntry.objects.count()
    data = {
        **assessment_fields(assessed_on="2008-01-12", monitor_name="Zainab"),
        **formset(
            "groups",
            [
                group_row(group, families=8, individuals=50),
                group_row(population_type="returnee", families=9, individuals=4),
            ],
            initial=1,
        ),
        **formset("needs", [{"id": "", "sector": "food", "priority": 1, "severity": ""}], 0),
        **formset("intentions", [], 0),
    }
    response = client.post(edit_url(assessment), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 individuals is fewer than the 9 families" in html
    assert "Nothing was saved" in html
    assessment.refresh_from_db()
    group.refresh_from_db()
    assert assessment.monitor_name == ""
    assert (group.families, group.individuals) == (5, 30)
    assert PopulationGroup.objects.filter(assessment=assessment).count() == 1
    assert not SectorNeed.objects.filter(assessment=assessment).exists()
    assert AuditEntry.objects.count() == logged


def test_edit_refused_to_a_monitor_once_submitted_and_outside_scope(client, world, ngo, other_ngo):
    LocationAssessment.objects.filter(pk=world.other.pk).update(status="draft")
    assert get(client, member("field_monitor", other_ngo), edit_url(world.other)).status_code == 200
    LocationAssessment.objects.filter(pk=world.other.pk).update(status="submitted")
    assert get(client, member("field_monitor", other_ngo), edit_url(world.other)).status_code == 403
    assert get(client, member("partner_reporter", ngo), edit_url(world.other)).status_code == 404
    assert get(client, member("aggregate_viewer", ngo), edit_url(world.baghdad)).status_code == 403
    assert get(client, member("im_officer", ngo), edit_url(world.published)).status_code == 403


def test_import_link_for_reference_holders_only(client, world, ngo):
    url = reverse("displacement:round-detail", args=[4])
    import_url = reverse("displacement:masterlist-import", kwargs={"number": 4})
    assert import_url in html_of(client, member("im_officer", ngo), url)
    html = html_of(client, member("field_monitor", ngo), url)
    assert import_url not in html
    assert reverse("displacement:dashboard") in html
