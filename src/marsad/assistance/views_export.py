"""Downloads of a selection: both lists as an XLSX workbook, and the beneficiary list as a
printable PDF with a column for each household's signature or thumbprint. Both are audited as
exports and read through the same scoped selectors as the pages.

The PDF is drawn with fpdf2, whose text shaping (HarfBuzz) joins Arabic and Kurdish letters
and orders right-to-left text; names take the Noto Naskh Arabic font and Latin text Noto Sans,
from Debian's fonts-noto-core (``MARSAD_PDF_FONT_DIR`` points elsewhere). In Arabic and
Kurdish the page reads from the right: the columns are reversed and the text right-aligned.
"""

import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from marsad.assistance import selectors_ui
from marsad.assistance.models import Selection, SelectionEntry
from marsad.assistance.views_common import require
from marsad.assistance.views_selection import entry_row, selection_in_scope
from marsad.core import audit
from marsad.core.models import AuditAction
from marsad.core.roles import Capability

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT_DIR = "/usr/share/fonts/truetype/noto"
FONTS = {
    ("sans", ""): "NotoSans-Regular.ttf",
    ("sans", "B"): "NotoSans-Bold.ttf",
    ("naskh", ""): "NotoNaskhArabic-Regular.ttf",
    ("naskh", "B"): "NotoNaskhArabic-Bold.ttf",
}
CHUNK = 2000


class FontsMissing(Exception):
    """The fonts the PDF is drawn with are not installed."""


def _entries(request: HttpRequest, selection: Selection, included: bool) -> Iterator[dict]:
    entries = selectors_ui.entries_with_heads(request.user, selection, included=included)
    for entry in entries.select_related("household__area").iterator(chunk_size=CHUNK):
        yield entry_row(entry)


def _filename(selection: Selection, what: str, extension: str) -> str:
    return f"{selection.plan.code}-{what}-{selection.as_of.isoformat()}-{selection.pk}.{extension}"


def _audit(request: HttpRequest, selection: Selection, file_format: str, rows: int) -> None:
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=selection,
        organisation_id=selection.plan.organisation_id,
        context={"format": file_format, "plan": selection.plan.code, "rows": rows},
    )


# --- XLSX ---------------------------------------------------------------------------------


def _entry_cells(row: dict[str, Any]) -> list[Any]:
    entry: SelectionEntry = row["entry"]
    household = row["household"]
    return [
        entry.rank,
        household.registration_number,
        row["head"],
        household.size,
        household.area.name,
        household.area.pcode,
        entry.score,
        row["category"],
        "; ".join(row["fired"]),
    ]


def selection_workbook(
    selection: Selection, included: Iterable[dict], excluded: Iterable[dict]
) -> tuple[bytes, int]:
    """The workbook: the beneficiary list, the excluded households with their reasons, and the
    selection's parameters; with the number of household rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet: Any, names: list[str]) -> None:
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    columns = [
        _("Rank"),
        _("Registration number"),
        _("Head of household"),
        _("Size"),
        _("Location"),
        _("P-code"),
        _("Score"),
        _("Category"),
        _("Criteria that fired"),
    ]
    written = 0
    beneficiaries = workbook.create_sheet(title=_("Beneficiaries")[:31])
    beneficiaries.freeze_panes = "A2"
    header(beneficiaries, columns)
    for row in included:
        beneficiaries.append(_entry_cells(row))
        written += 1
    left_out = workbook.create_sheet(title=_("Excluded")[:31])
    left_out.freeze_panes = "A2"
    header(left_out, [*columns, _("Reason"), _("Linked household"), _("Earlier receipt")])
    for row in excluded:
        entry = row["entry"]
        other = entry.other_household.registration_number if entry.other_household_id else ""
        left_out.append([*_entry_cells(row), row["reason"], other, entry.earlier_receipt_id or ""])
        written += 1
    about = workbook.create_sheet(title=_("Selection")[:31])
    for label, value in _parameters(selection):
        about.append([label, value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), written


def _parameters(selection: Selection) -> list[tuple[str, str]]:
    plan = selection.plan
    version = selection.criteria_version
    return [
        (_("Plan"), f"{plan.code} — {plan.title}"),
        (_("Implementing partner"), str(plan.organisation)),
        (_("Programme"), plan.programme.code),
        (_("Cycle"), plan.cycle),
        (_("Location"), f"{plan.location.name} ({plan.location.pcode})"),
        (
            _("Criteria"),
            _("%(set)s, version %(number)d")
            % {"set": version.criteria_set.name, "number": version.number},
        ),
        (_("Scored on"), selection.as_of.isoformat()),
        (_("Areas"), ", ".join(area.pcode for area in selection.areas.all())),
        (_("Household statuses"), ", ".join(selection.statuses)),
        (_("Quota (households)"), str(selection.quota or "")),
        (_("Budget (USD)"), str(selection.budget_usd or "")),
        (_("Households considered"), str(selection.considered_count)),
        (_("Households included"), str(selection.included_count)),
        (_("Run"), timezone.localtime(selection.created_at).strftime("%Y-%m-%d %H:%M")),
    ]


@login_required
def selection_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, Capability.EXPORT)
    selection = selection_in_scope(request, pk)
    content, rows = selection_workbook(
        selection, _entries(request, selection, True), _entries(request, selection, False)
    )
    _audit(request, selection, "xlsx", rows)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(selection, "selection", "xlsx")}"'
    )
    return response


# --- PDF ----------------------------------------------------------------------------------


def font_paths() -> dict[tuple[str, str], Path]:
    folder = Path(getattr(settings, "MARSAD_PDF_FONT_DIR", "") or FONT_DIR)
    paths = {key: folder / name for key, name in FONTS.items()}
    missing = [path.name for path in paths.values() if not path.exists()]
    if missing:
        raise FontsMissing(
            _(
                "The PDF cannot be drawn: the fonts %(fonts)s are not installed in %(folder)s "
                "(Debian package fonts-noto-core)."
            )
            % {"fonts": ", ".join(missing), "folder": folder}
        )
    return paths


class _ListDocument:
    """Draws the list's table: fixed-height rows of bordered cells, the heading row again on
    every page. ASCII text (numbers, registration numbers, Latin names) is set directly; any
    other text goes through HarfBuzz shaping and right-to-left ordering, a few milliseconds a
    cell: a list of a thousand households in Arabic takes about five seconds."""

    PAD = 1.5
    SIZE = 10

    def __init__(self, pdf: Any, *, main: str, rtl: bool) -> None:
        self.pdf, self.main, self.rtl = pdf, main, rtl
        self._widths: dict[tuple[str, str, str, int], float] = {}

    def _fit(self, text: str, width: float, family: str, style: str) -> float:
        """Use the table's font, smaller (down to 6 pt) when ``text`` would overflow; the text's
        width. Widths are measured unshaped: close enough, and ten times quicker."""
        pdf = self.pdf
        shaping, pdf.text_shaping = pdf.text_shaping, None
        # Naskh's letters are small for their size: one point more matches the Latin face.
        size = self.SIZE + (1 if family == "naskh" else 0)
        while True:
            pdf.set_font(family, style, size)
            key = (text, family, style, size)
            if key not in self._widths:
                self._widths[key] = pdf.get_string_width(text)
            if size <= 6 or self._widths[key] <= width - 2 * self.PAD:
                break
            size -= 1
        pdf.text_shaping = shaping
        return self._widths[key]

    def put(self, text: str, x: float, y: float, width: float, height: float, style: str) -> None:
        pdf = self.pdf
        if not text:
            return
        if text.isascii():
            used = self._fit(text, width, "sans", style)
            left = x + width - self.PAD - used if self.rtl else x + self.PAD
            shaping, pdf.text_shaping = pdf.text_shaping, None
            pdf.text(left, y + height / 2 + pdf.font_size * 0.35, text)
            pdf.text_shaping = shaping
            return
        # Arabic-script text in the Arabic face directly: no per-letter fallback to look up.
        arabic = any("\u0600" <= char <= "\u06ff" for char in text)
        self._fit(text, width, "naskh" if arabic else self.main, style)
        pdf.set_xy(x, y)
        pdf.cell(width, height, text, align="R" if self.rtl else "L")

    def row(self, cells: list[str], widths: list[float], height: float, *, heading: bool) -> None:
        pdf = self.pdf
        x, y = pdf.l_margin, pdf.get_y()
        for text, width in zip(cells, widths, strict=True):
            pdf.rect(x, y, width, height, style="DF" if heading else "D")
            self.put(text, x, y, width, height, "B" if heading else "")
            x += width
        pdf.set_xy(pdf.l_margin, y + height)


def beneficiary_pdf(selection: Selection, rows: Iterable[dict], *, rtl: bool) -> tuple[bytes, int]:
    """The printable beneficiary list: the plan and selection above, then one row per
    household with an empty box to sign or thumbprint in; with the number of rows."""
    from fpdf import FPDF
    from fpdf.enums import Align, XPos, YPos

    paths = font_paths()
    plan = selection.plan
    title = _("Beneficiary list")
    printed = date_format(timezone.localdate(), "DATE_FORMAT")

    class ListPDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(main, "", 8)
            text = _("%(plan)s · printed %(date)s · page %(page)d") % {
                "plan": plan.code,
                "date": printed,
                "page": self.page_no(),
            }
            self.cell(0, 6, text, align=Align.C)

    main, other = ("naskh", "sans") if rtl else ("sans", "naskh")
    pdf = ListPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(f"{title} — {plan.code}")
    pdf.set_author(str(plan.organisation))
    pdf.set_creator("Marsad")
    for (family, style), path in paths.items():
        pdf.add_font(family, style, str(path))
    pdf.set_fallback_fonts([other], exact_match=False)
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else None)
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(auto=False)
    pdf.set_draw_color(90, 90, 90)
    pdf.set_fill_color(220, 230, 241)
    pdf.add_page()
    align = Align.R if rtl else Align.L
    below = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    pdf.set_font(main, "B", 15)
    pdf.multi_cell(0, 8, f"{title}: {plan.code} — {plan.title}", align=align, **below)
    pdf.set_font(main, "", 9)
    version = selection.criteria_version
    facts = [
        (_("Implementing partner"), str(plan.organisation)),
        (_("Programme"), f"{plan.programme.code} · {_('Cycle')} {plan.cycle}"),
        (_("Location"), f"{plan.location.name} ({plan.location.pcode})"),
        (
            _("Assistance"),
            "; ".join(
                f"{item.get_assistance_type_display()} × {item.quantity.normalize():f}"
                for item in plan.items.order_by("assistance_type")
            ),
        ),
        (
            _("Selection"),
            _("%(set)s, version %(number)d, scored on %(date)s")
            % {
                "set": version.criteria_set.name,
                "number": version.number,
                "date": date_format(selection.as_of, "DATE_FORMAT"),
            },
        ),
    ]
    for label, value in facts:
        pdf.multi_cell(0, 5, f"{label}: {value}", align=align, **below)
    pdf.ln(3)

    headings = [
        _("Rank"),
        _("Registration number"),
        _("Head of household"),
        _("Size"),
        _("Score"),
        _("Category"),
        _("Date received"),
        _("Signature or thumbprint"),
    ]
    widths = [12.0, 38.0, 70.0, 15.0, 15.0, 22.0, 30.0, 75.0]
    if rtl:
        headings.reverse()
        widths.reverse()
    table = _ListDocument(pdf, main=main, rtl=rtl)
    bottom = pdf.h - 16
    table.row(headings, widths, 9, heading=True)
    count = 0
    for row in rows:
        if pdf.get_y() + 11 > bottom:
            pdf.add_page()
            table.row(headings, widths, 9, heading=True)
        entry, household = row["entry"], row["household"]
        cells = [
            str(entry.rank),
            household.registration_number,
            row["head"],
            str(household.size),
            str(entry.score),
            row["category"],
            "",
            "",  # an empty box, a finger high, to sign or thumbprint in
        ]
        if rtl:
            cells.reverse()
        table.row(cells, widths, 11, heading=False)
        count += 1
    if not count:
        pdf.ln(4)
        pdf.set_font(main, "", 10)
        pdf.multi_cell(0, 6, _("No household is on this beneficiary list."), align=align, **below)
    return bytes(pdf.output()), count


@login_required
def selection_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, Capability.EXPORT)
    selection = selection_in_scope(request, pk)
    try:
        content, rows = beneficiary_pdf(
            selection, _entries(request, selection, True), rtl=get_language_bidi()
        )
    except FontsMissing as error:
        messages.error(request, str(error))
        return redirect("assistance:selection-detail", pk=selection.pk)
    _audit(request, selection, "pdf", rows)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{_filename(selection, "beneficiaries", "pdf")}"'
    )
    return response
