"""``marsad linkage run | match | models | activate``: linkage over the registry from the
command line (``dedupe`` has its own tests)."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from marsad.linkage.models import CandidatePair, LinkageRun, ModelVersion, RunKind
from marsad.registry.models import Person
from tests.linkage.test_runs import copies, register_records

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def linkage_cache(settings, tmp_path):
    settings.MARSAD_LINKAGE_CACHE_DIR = str(tmp_path / "linkage")


def linkage(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("linkage", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_run_trains_a_model_and_prints_the_summary(ngo, areas):
    other = copies(
        1, given_name="Fatima", sex="f", birth_date="1985", phone="", national_id="", record_id="F"
    )
    register_records(
        [*copies(2), *other],
        ngo,
        areas["karkh"],
        {},
    )
    out, progress = linkage("run")
    assert out.splitlines()[0] == (
        "Whole registry (trains a new model), finished: 3 records, 1 pairs scored, "
        "1 pairs linked automatically, 0 pairs waiting for review."
    )
    assert "Model: v1." in out
    assert "Reading the registry" in progress
    assert ModelVersion.objects.get().is_active
    assert Person.objects.filter(is_active=True).count() == 2


def test_models_and_activate(ngo, areas):
    out, _err = linkage("models")
    assert out == "no model trained yet: run `marsad linkage run`\n"
    other = copies(1, given_name="Fatima", sex="f", phone="", national_id="", record_id="F")
    register_records([*copies(2), *other], ngo, areas["karkh"], {})
    linkage("run")  # merges the two copies
    call_command("linkage", "run", verbosity=0, stdout=StringIO())
    lines = linkage("models")[0].splitlines()
    assert [line[:4] for line in lines] == ["  v1", "* v2"]
    assert "2 records, 0 reviewed pairs  auto-link 0.99, review 0.8" in lines[1]
    assert linkage("activate", "1")[0] == "v1 is now in use\n"
    assert ModelVersion.objects.get(is_active=True).version == 1
    with pytest.raises(CommandError, match="there is no model v7"):
        linkage("activate", "7")


def test_match_persons_against_the_registry(ngo, areas):
    register_records(copies(2), ngo, areas["karkh"], {})
    with pytest.raises(CommandError, match="no linkage model is in use"):
        linkage("match", "--persons", str(Person.objects.first().pk))
    linkage("run")
    new = register_records(copies(1, record_id="N", given_name="Haidar"), ngo, areas["karkh"], {})
    out, _err = linkage("match", "--persons", f"{new['N0']},")
    assert out.startswith("New registrations against the registry, finished: 1 records")
    run = LinkageRun.objects.get(kind=RunKind.INCREMENTAL)
    assert run.records == 1
    pair = CandidatePair.objects.get(run=run)
    assert pair.right_id == new["N0"]


def test_match_since_a_date(ngo, areas):
    register_records(copies(2), ngo, areas["karkh"], {})
    linkage("run")
    new = register_records(copies(1, record_id="N"), ngo, areas["karkh"], {})
    Person.objects.exclude(pk=new["N0"]).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    out, _err = linkage("match", "--since", since)
    assert ": 1 records" in out
    assert linkage("match", "--since", "2999-01-01T08:00")[0] == "no persons to match\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["match", "--persons", "12,abc"], "--persons takes person IDs"),
        (["match", "--since", "yesterday"], "--since takes a date"),
        (["match", "--since", "2026-02-30"], "--since takes a date"),
    ],
)
def test_bad_arguments_are_refused_plainly(db, args, message):
    with pytest.raises(CommandError, match=message):
        linkage(*args)
