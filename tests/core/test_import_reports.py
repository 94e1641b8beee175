"""The shape every list import reports in (``core.reports.ListImportReport``): its own counts in
order, then the dry-run flag, the file's format and encoding, and the first errors kept."""

from dataclasses import dataclass

from marsad.assistance.importers.report import ReceiptListReport
from marsad.core.reports import ERRORS_KEPT, ListImportReport
from marsad.core.tables import RowError
from marsad.registry.importers.report import SourceListReport


@dataclass
class _Example(ListImportReport):
    COUNTS = ("rows", "created", "unchanged")

    created: int = 0


def test_the_task_result_has_the_counts_in_order_and_the_first_errors():
    errors = [RowError(row=n, column="name", message="Give a name.") for n in range(2, 302)]
    report = _Example(rows=300, created=0, unchanged=0, errors=errors, format="csv")
    result = report.as_dict()
    assert list(result) == [
        "rows",
        "created",
        "unchanged",
        "dry_run",
        "format",
        "encoding",
        "error_count",
        "errors",
    ]
    assert (result["error_count"], len(result["errors"])) == (300, ERRORS_KEPT)
    assert result["errors"][0] == str(errors[0])
    assert not report.ok


def test_the_registry_and_assistance_reports_share_it():
    source = SourceListReport(rows=3, households_created=1, persons_created=2, encoding="utf-8")
    assert source.ok
    assert source.as_dict() == {
        "rows": 3,
        "households_created": 1,
        "persons_created": 2,
        "unchanged": 0,
        "dry_run": False,
        "format": "",
        "encoding": "utf-8",
        "error_count": 0,
        "errors": [],
    }
    receipts = ReceiptListReport(plan="P-1", rows=4, receipts_created=3, overrides=1, dry_run=True)
    assert receipts.as_dict()["plan"] == "P-1"
    assert list(receipts.as_dict())[:5] == [
        "plan",
        "rows",
        "receipts_created",
        "overrides",
        "unchanged",
    ]
    assert receipts.summary.startswith("Dry run for plan P-1: 4 rows read; 3 receipts")
