"""Loading areas (all or nothing, idempotent, audited), moving them, and exporting them."""

import json
import time
from decimal import Decimal

import pycountry
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marsad.core.models import AuditAction, AuditEntry
from marsad.geo import services
from marsad.geo.models import AdminArea, AreaLevel
from tests.factories import AdminAreaFactory
from tests.geo.conftest import area_audit_rows

pytestmark = pytest.mark.django_db

HEADER = "pcode,level,name_en,name_ar,name_ku,parent_pcode,iso_code,latitude,longitude\n"
TREE = (
    HEADER + "IQG08Q03,district,Al-Karkh,الكرخ,کەرخ,IQG08,,33.31,44.37\n"  # children first
    "IQG08,governorate,Baghdad,بغداد,بەغدا,IQ,IQ-BG,33.3,44.4\n"
    "IQ,country,Iraq,العراق,عێراق,,IQ,33.2232,43.6793\n"
)


def load(text, **kwargs):
    kwargs.setdefault("actor", None)
    return services.areas_load_file(content=text.encode(), filename="areas.csv", **kwargs)


def test_load_creates_areas_in_any_order_with_paths_and_audit():
    report = load(TREE)
    assert report.ok
    assert report.summary == "3 created, 0 updated, 0 unchanged"
    karkh = AdminArea.objects.get(pcode="IQG08Q03")
    assert karkh.path == "IQ/IQG08/IQG08Q03/"
    assert karkh.parent.pcode == "IQG08"
    assert karkh.level == AreaLevel.DISTRICT
    assert karkh.latitude == Decimal("33.31")
    assert karkh.search_text == "al karkh\nالكرخ\nكهرخ"
    entries = area_audit_rows().order_by("id")
    assert [(e.action, e.object_repr) for e in entries] == [
        ("create", "Iraq (IQ)"),
        ("create", "Baghdad (IQG08)"),
        ("create", "Al-Karkh (IQG08Q03)"),
    ]
    assert entries[2].changes["parent"] == [None, "IQG08"]
    assert entries[2].changes["latitude"] == [None, "33.310000"]
    assert entries[2].context == {"source": "areas.csv", "format": "marsad-csv", "line": 2}
    assert entries[2].object_id == str(karkh.pk)


def test_second_load_changes_nothing_and_writes_no_audit():
    load(TREE)
    audit_count = AuditEntry.objects.count()
    stamps = dict(AdminArea.objects.values_list("pcode", "updated_at"))
    report = load(TREE)
    assert report.summary == "0 created, 0 updated, 3 unchanged"
    assert (report.created, report.updated) == ([], [])
    assert AuditEntry.objects.count() == audit_count
    assert dict(AdminArea.objects.values_list("pcode", "updated_at")) == stamps


def test_changed_name_writes_one_audit_row_with_before_and_after():
    load(TREE)
    before = AuditEntry.objects.count()
    report = load(TREE.replace("Al-Karkh,الكرخ", "Karkh,الكرخ"))
    assert report.summary == "0 created, 1 updated, 2 unchanged"
    assert report.updated == ["IQG08Q03"]
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == AuditAction.UPDATE
    assert entry.object_type == "geo.adminarea"
    assert entry.changes == {"name_en": ["Al-Karkh", "Karkh"]}
    karkh = AdminArea.objects.get(pcode="IQG08Q03")
    assert karkh.name_en == "Karkh"
    assert karkh.search_text.startswith("karkh\n")


def test_a_bad_parent_loads_nothing_and_writes_no_audit():
    text = TREE + "IQG02Q04,district,Al-Zubair,الزبير,,IQG02,,,\n"
    report = load(text)
    assert not report.ok
    assert [str(p) for p in report.problems] == [
        "line 5, column parent_pcode: the parent P-code IQG02 is neither in this file nor in "
        "the database"
    ]
    assert report.error_text.splitlines()[0] == (
        "Nothing was loaded: the file has 1 error. Correct it and load the file again."
    )
    assert AdminArea.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_an_existing_parent_in_the_database_is_accepted(areas):
    report = load(HEADER + "IQG02Q07,district,Shat Al-Arab,شط العرب,,IQG02,,,\n")
    assert report.summary == "1 created, 0 updated, 0 unchanged"
    assert AdminArea.objects.get(pcode="IQG02Q07").path == "IQ/IQG02/IQG02Q07/"


def test_parse_and_database_errors_are_reported_together_in_line_order(areas):
    text = (
        HEADER + "IQG09,governorate,Thi-Qar,,,IQ,,,\n"
        "IQG09Q01,district,X,,,IQG08Q03,,,\n"  # parent is a district
        "IQG10,governorate,,,,IQ,,,\n"  # no English name
        "IQG09Q02,subdistrict,Y,,,NOPE,,,\n"  # unknown parent
        "IQ2,country,Other,,,IQ,,,\n"  # country with a parent
    )
    report = load(text)
    assert [str(p) for p in report.problems] == [
        "line 3, column parent_pcode: the parent IQG08Q03 is a district; the parent of a "
        "district must be at a level above it",
        "line 4, column name_en: the English name is empty",
        "line 5, column parent_pcode: the parent P-code NOPE is neither in this file nor in the "
        "database",
        "line 6, column parent_pcode: a country has no parent, but the parent P-code is IQ",
    ]
    assert not AdminArea.objects.filter(pcode__startswith="IQG09").exists()


def test_a_child_of_a_broken_row_does_not_report_its_parent_as_unknown():
    text = (
        HEADER
        + "IQ,country,Iraq,,,,,,\nIQG01,governorate,,,,IQ,,,\nIQG01Q01,district,D,,,IQG01,,,\n"
    )
    assert [str(p) for p in load(text).problems] == [
        "line 3, column name_en: the English name is empty"
    ]


def test_dry_run_reports_and_writes_nothing(areas):
    text = TREE.replace("Al-Karkh", "Karkh") + "IQG08Q04,district,Al-Adhamiya,الأعظمية,,IQG08,,,\n"
    audit_count = AuditEntry.objects.count()
    report = load(text, dry_run=True)
    assert report.ok
    # The factory tree has no coordinates, so the country and Baghdad gain theirs.
    assert (report.created, report.updated, report.unchanged) == (
        ["IQG08Q04"],
        ["IQ", "IQG08", "IQG08Q03"],
        0,
    )
    assert report.summary == (
        "Dry run: 1 would be created, 3 updated, 0 unchanged; nothing was written."
    )
    assert not AdminArea.objects.filter(pcode="IQG08Q04").exists()
    assert AdminArea.objects.get(pcode="IQG08Q03").name_en == "Al-Karkh"
    assert AuditEntry.objects.count() == audit_count


def test_dry_run_reports_errors_too():
    report = load(HEADER + "IQG01,governorate,A,,,IQ,,,\n", dry_run=True)
    assert len(report.problems) == 1
    assert AdminArea.objects.count() == 0


def test_moving_an_area_in_a_file_repaths_its_descendants(areas):
    location = AdminAreaFactory(pcode="IQG08Q03L1", level=AreaLevel.LOCATION, parent=areas["karkh"])
    # Al-Karkh moves to Basrah (not its real home, but the point is the re-pathing).
    report = load(HEADER + "IQG08Q03,district,Al-Karkh,الكرخ,کەرخ,IQG02,,,\n")
    assert report.summary == "0 created, 1 updated, 0 unchanged"
    location.refresh_from_db()
    assert location.path == "IQ/IQG02/IQG08Q03/IQG08Q03L1/"
    entry = AuditEntry.objects.latest("id")
    assert entry.changes["parent"] == ["IQG08", "IQG02"]


def test_area_move_repaths_all_descendants_and_audits(areas):
    sub = AdminAreaFactory(pcode="IQG08Q03S1", level=AreaLevel.SUBDISTRICT, parent=areas["karkh"])
    location = AdminAreaFactory(pcode="IQG08Q03S1L1", level=AreaLevel.LOCATION, parent=sub)
    moved = services.area_move(actor=None, area=areas["karkh"], parent=areas["basrah"])
    assert moved.path == "IQ/IQG02/IQG08Q03/"
    sub.refresh_from_db()
    location.refresh_from_db()
    assert sub.path == "IQ/IQG02/IQG08Q03/IQG08Q03S1/"
    assert location.path == "IQ/IQG02/IQG08Q03/IQG08Q03S1/IQG08Q03S1L1/"
    entry = AuditEntry.objects.latest("id")
    assert entry.action == AuditAction.UPDATE
    assert entry.changes["parent"] == [areas["baghdad"].pk, areas["basrah"].pk]


def test_area_move_refuses_a_parent_not_above(areas):
    with pytest.raises(ValidationError) as error:
        services.area_move(actor=None, area=areas["baghdad"], parent=areas["zubair"])
    assert error.value.message_dict["parent"] == [
        "The parent IQG02Q04 is a district; the parent of a governorate must be at a level "
        "above it."
    ]
    areas["baghdad"].refresh_from_db()
    assert areas["baghdad"].parent == areas["country"]
    assert not AuditEntry.objects.exists()


def test_area_move_needs_the_change_reference_capability(areas, monitor, im_officer):
    with pytest.raises(PermissionDenied):
        services.area_move(actor=monitor, area=areas["karkh"], parent=areas["basrah"])
    assert AdminArea.objects.get(pcode="IQG08Q03").parent == areas["baghdad"]
    services.area_move(actor=im_officer, area=areas["karkh"], parent=areas["basrah"])
    assert AuditEntry.objects.filter(actor=im_officer, action="update").count() == 1


def test_load_needs_the_change_reference_capability(monitor):
    with pytest.raises(PermissionDenied):
        load(TREE, actor=monitor)
    assert AdminArea.objects.count() == 0


def test_load_by_a_user_records_the_user(im_officer):
    load(TREE, actor=im_officer)
    assert set(area_audit_rows().values_list("actor_username", flat=True)) == {"im-officer"}


def test_relevelling_an_area_with_children_below_is_refused(areas):
    report = load(HEADER + "IQG08,district,Baghdad,,,IQ,,,\n")
    assert [str(p) for p in report.problems] == [
        "line 2, column level: IQG08 cannot become a district: it has the district IQG08Q03 "
        "below it, which must stay at a lower level"
    ]
    assert AdminArea.objects.get(pcode="IQG08").level == AreaLevel.GOVERNORATE


def test_a_csv_without_boundary_keeps_the_stored_boundary(areas):
    square = {
        "type": "Polygon",
        "coordinates": [[[44, 33], [45, 33], [45, 34], [44, 34], [44, 33]]],
    }
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"ADM0_PCODE": "IQ", "ADM1_PCODE": "IQG08", "ADM1_EN": "Baghdad"},
                "geometry": square,
            }
        ],
    }
    report = services.areas_load_file(
        actor=None, content=json.dumps(geojson).encode(), filename="adm1.geojson"
    )
    assert report.summary == "0 created, 1 updated, 0 unchanged"
    baghdad = AdminArea.objects.get(pcode="IQG08")
    assert baghdad.boundary == square
    assert (baghdad.latitude, baghdad.longitude) == (Decimal("33.5"), Decimal("44.5"))
    entry = AuditEntry.objects.latest("id")
    assert entry.changes["boundary"] == [None, "Polygon (5 points)"]
    assert entry.context["feature"] == 1
    # Loading the same GeoJSON again: nothing changes.
    again = services.areas_load_file(
        actor=None, content=json.dumps(geojson).encode(), filename="adm1.geojson"
    )
    assert again.summary == "0 created, 0 updated, 1 unchanged"
    report = load(HEADER + "IQG08,governorate,Baghdad,بغداد,بەغدا,IQ,IQ-BG,33.5,44.5\n")
    assert report.summary == "0 created, 0 updated, 1 unchanged"
    assert AdminArea.objects.get(pcode="IQG08").boundary == square


def test_cod_ab_table_loads_and_reloads_idempotently():
    text = (
        "ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,ADM1_AR,ADM2_PCODE,ADM2_EN,ADM2_AR\n"
        "IQ,Iraq,IQG08,Baghdad,بغداد,IQG08Q03,Al-Karkh,الكرخ\n"
        "IQ,Iraq,IQG08,Baghdad,بغداد,IQG08Q01,Abu Ghraib,أبو غريب\n"
    )
    assert load(text).summary == "4 created, 0 updated, 0 unchanged"
    assert AdminArea.objects.get(pcode="IQG08Q01").path == "IQ/IQG08/IQG08Q01/"
    assert load(text).summary == "0 created, 0 updated, 4 unchanged"


def test_reference_file_loads_120_areas_with_iso_governorates():
    started = time.perf_counter()
    report = services.areas_load_reference(actor=None)
    elapsed = time.perf_counter() - started
    assert report.summary == "120 created, 0 updated, 0 unchanged"
    assert elapsed < 2
    assert AdminArea.objects.count() == 120
    governorates = AdminArea.objects.filter(level=AreaLevel.GOVERNORATE)
    assert governorates.count() == 18
    iso_codes = {subdivision.code for subdivision in pycountry.subdivisions.get(country_code="IQ")}
    assert set(governorates.values_list("iso_code", flat=True)) <= iso_codes
    assert len(set(governorates.values_list("iso_code", flat=True))) == 18
    assert AdminArea.objects.filter(level=AreaLevel.DISTRICT).count() == 101
    assert AdminArea.objects.get(pcode="IQG02").name_ar == "البصرة"
    assert area_audit_rows().count() == 120
    assert services.areas_load_reference(actor=None).summary == (
        "0 created, 0 updated, 120 unchanged"
    )
    assert area_audit_rows().count() == 120


def test_export_csv_exact_text_and_audit(areas):
    text = services.areas_export(actor=None, level=AreaLevel.DISTRICT)
    assert text == (
        "pcode,name_en,name_ar,parent_pcode\n"
        "IQG02Q04,Al-Zubair,الزبير,IQG02\n"
        "IQG08Q03,Al-Karkh,الكرخ,IQG08\n"
    )
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.object_type == "geo.adminarea"
    assert entry.context == {"format": "csv", "level": 2, "below": None, "count": 2}


def test_export_below_a_parent(areas):
    text = services.areas_export(actor=None, below=areas["baghdad"])
    assert text == "pcode,name_en,name_ar,parent_pcode\nIQG08Q03,Al-Karkh,الكرخ,IQG08\n"


def test_geojson_export_loads_back_unchanged(areas):
    text = services.areas_export(actor=None, export_format="geojson")
    document = json.loads(text)
    assert [f["properties"]["pcode"] for f in document["features"]] == [
        "IQ",
        "IQG02",
        "IQG02Q04",
        "IQG08",
        "IQG08Q03",
    ]
    assert document["features"][0]["geometry"] is None
    report = services.areas_load_file(actor=None, content=text.encode(), filename="x.geojson")
    assert report.summary == "0 created, 0 updated, 5 unchanged"


def test_two_moves_in_one_file_leave_every_path_right(areas):
    sub = AdminAreaFactory(pcode="IQG08Q03S1", level=AreaLevel.SUBDISTRICT, parent=areas["karkh"])
    location = AdminAreaFactory(pcode="IQG08Q03S1L1", level=AreaLevel.LOCATION, parent=sub)
    text = (
        HEADER + "IQG08Q03S1,subdistrict,Sub,,,IQG02Q04,,,\n"  # the sub-district goes to Zubair
        "IQG08Q03,district,Al-Karkh,الكرخ,کەرخ,IQG02,,,\n"  # and Al-Karkh to Basrah
    )
    sub.name_en = "Sub"
    sub.save()
    report = load(text)
    assert sorted(report.updated) == ["IQG08Q03", "IQG08Q03S1"]
    paths = dict(AdminArea.objects.values_list("pcode", "path"))
    assert paths["IQG08Q03"] == "IQ/IQG02/IQG08Q03/"
    assert paths["IQG08Q03S1"] == "IQ/IQG02/IQG02Q04/IQG08Q03S1/"
    assert paths[location.pcode] == "IQ/IQG02/IQG02Q04/IQG08Q03S1/IQG08Q03S1L1/"


def test_area_update_and_create_services(areas, im_officer):
    created = services.area_create(
        actor=im_officer,
        data={"pcode": "IQG08Q04", "level": 2, "parent": areas["baghdad"], "name_en": "Adhamiya"},
    )
    assert created.path == "IQ/IQG08/IQG08Q04/"
    assert created.search_text == "adhamiya"
    services.area_update(actor=im_officer, area=created, data={"name_ar": "الأعظمية"})
    created.refresh_from_db()
    assert created.search_text == "adhamiya\nالاعظميه"
    assert AuditEntry.objects.filter(object_id=str(created.pk)).count() == 2


def test_a_boundary_that_is_not_a_polygon_is_refused(areas):
    with pytest.raises(ValidationError) as error:
        services.area_update(
            actor=None,
            area=areas["karkh"],
            data={"boundary": {"type": "Point", "coordinates": [1, 2]}},
        )
    assert error.value.message_dict["boundary"] == [
        "A boundary must be a GeoJSON Polygon or MultiPolygon."
    ]
    assert AdminArea.objects.get(pcode="IQG08Q03").boundary is None
