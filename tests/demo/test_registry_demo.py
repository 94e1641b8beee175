"""The demo registry: lists imported through the real importer, owned by MoDM so its registrar
sees them, and a second run adds nothing."""

import io
import sys

import pytest
from django.core.management import call_command

from marsad.accounts.models import Membership, User
from marsad.core.models import AuditEntry
from marsad.demo.management.commands import demo as demo_command
from marsad.linkage.models import LinkageRun
from marsad.partners.models import Organisation
from marsad.registry import selectors
from marsad.registry.demo import load_demo_registry
from marsad.registry.models import Household, IdentityDocument, Person, Phone, SourceRecord

pytestmark = pytest.mark.django_db

CLANS = 6


@pytest.fixture
def reference(db):
    call_command("geo", "load-reference", stdout=io.StringIO())
    call_command("partners", "load-demo", stdout=io.StringIO())


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Household, Person, Phone, IdentityDocument, SourceRecord, AuditEntry)
    }


def test_demo_registry_is_imported_once_with_repeat_registrations(reference):
    lines, added = load_demo_registry(clans=CLANS)
    first = counts()
    assert added == first["Person"] > 30
    assert first["SourceRecord"] == first["Person"]  # one source record per row
    kinds = set(SourceRecord.objects.values_list("kind", flat=True))
    assert "ministry" in kinds
    assert kinds & {"distribution", "partner"}
    assert Person.objects.filter(given_name__regex=r"^[A-Za-z]").exists()  # Latin lists
    assert set(Household.objects.values_list("organisation__code", flat=True)) == {"MODM"}
    assert any("households and" in line for line in lines)

    lines, added = load_demo_registry(clans=CLANS)
    assert added == 0
    assert counts() == first
    assert all(" 0 persons added" in line for line in lines)


def test_the_modm_registrar_sees_the_demo_households(reference):
    load_demo_registry(clans=2)
    registrar = User.objects.create(username="registrar")
    Membership.objects.create(
        user=registrar, organisation=Organisation.objects.get(code="MODM"), role="case_worker"
    )
    outsider = User.objects.create(username="outsider")
    Membership.objects.create(
        user=outsider, organisation=Organisation.objects.get(code="ICS"), role="case_worker"
    )
    assert selectors.households(registrar).count() == Household.objects.count() > 0
    assert selectors.households(outsider).count() == 0


def test_without_modm_the_step_says_so_and_adds_nothing(db):
    lines, added = load_demo_registry(clans=2)
    assert lines == ["skipped: organisation MODM is not loaded"]
    assert added == 0
    assert Household.objects.count() == 0


def test_linkage_step_says_it_is_skipped_while_runs_are_missing(db, monkeypatch):
    monkeypatch.setattr(demo_command.importlib.util, "find_spec", lambda name: None)
    monkeypatch.delitem(sys.modules, "marsad.linkage.runs", raising=False)
    message = demo_command.run_demo_linkage(registered=10)
    assert message.startswith("skipped: linkage runs (marsad.linkage.runs)")
    assert LinkageRun.objects.count() == 0
