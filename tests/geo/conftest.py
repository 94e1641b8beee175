"""Fixtures for the geo tests: role holders, a private upload folder, file writers."""

from pathlib import Path

import pytest

from marsad.core.models import AuditEntry
from tests.factories import member


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a temporary folder, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def im_officer(mission):
    """Holds CHANGE_REFERENCE: may load areas."""
    return member("im_officer", mission, username="im-officer")


@pytest.fixture
def monitor(ngo):
    """Sees areas but may not change them."""
    return member("field_monitor", ngo, username="monitor")


@pytest.fixture
def write(tmp_path):
    """Write text to a file in a temporary folder and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return path

    return _write


def area_audit_rows():
    return AuditEntry.objects.filter(object_type="geo.adminarea")
