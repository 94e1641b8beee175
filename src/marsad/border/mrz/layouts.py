"""Where each field sits in the five MRZ formats of Doc 9303 (Parts 4–7)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

TD1 = "TD1"
TD2 = "TD2"
TD3 = "TD3"
MRV_A = "MRV-A"
MRV_B = "MRV-B"
FORMATS = (TD1, TD2, TD3, MRV_A, MRV_B)


@dataclass(frozen=True)
class Span:
    """Characters ``start`` to ``end`` (0-based, end excluded) of line ``line`` (0-based)."""

    line: int
    start: int
    end: int

    def text(self, lines: Sequence[str]) -> str:
        return lines[self.line][self.start : self.end]

    def positions(self) -> range:
        return range(self.start, self.end)

    def as_dict(self) -> dict[str, int]:
        """1-based line, first and last position, as a reader counts."""
        return {"line": self.line + 1, "start": self.start + 1, "end": self.end}

    def describe(self) -> str:
        """The span as a reader counts: 1-based line and positions."""
        if self.end - self.start == 1:
            return _("line %(line)d, position %(position)d") % {
                "line": self.line + 1,
                "position": self.start + 1,
            }
        return _("line %(line)d, positions %(start)d–%(end)d") % {
            "line": self.line + 1,
            "start": self.start + 1,
            "end": self.end,
        }


def describe_spans(spans: Sequence[Span]) -> str:
    """Several spans, grouped by line: "line 2, positions 1–10, 14–20, 22–43"."""
    parts = []
    for line in sorted({span.line for span in spans}):
        ranges = [
            str(span.start + 1) if span.end - span.start == 1 else f"{span.start + 1}–{span.end}"
            for span in spans
            if span.line == line
        ]
        parts.append(
            _("line %(line)d, positions %(ranges)s")
            % {"line": line + 1, "ranges": ", ".join(ranges)}
        )
    return "; ".join(parts)


@dataclass(frozen=True)
class Layout:
    """One MRZ format: its size and the span of every field and check digit."""

    format: str
    line_count: int
    line_length: int
    document_code: Span
    issuing_state: Span
    name: Span
    document_number: Span
    document_number_check: Span
    nationality: Span
    birth_date: Span
    birth_date_check: Span
    sex: Span
    expiry_date: Span
    expiry_date_check: Span
    optional_data: Span
    optional_data_check: Span | None = None
    optional_data_2: Span | None = None
    composite: Span | None = None
    composite_data: tuple[Span, ...] = ()
    # A document number longer than 9 characters continues in the optional data, with '<' in
    # the number's own check digit position (Doc 9303 Part 5 4.2.4, Part 6, Part 7 note j).
    long_document_numbers: bool = True

    @property
    def is_visa(self) -> bool:
        return self.format in (MRV_A, MRV_B)


def _two_line(name: str, length: int, *, visa: bool) -> Layout:
    """TD2, TD3, MRV-A and MRV-B share line 2 up to position 28."""
    common = {
        "line_count": 2,
        "line_length": length,
        "document_code": Span(0, 0, 2),
        "issuing_state": Span(0, 2, 5),
        "name": Span(0, 5, length),
        "document_number": Span(1, 0, 9),
        "document_number_check": Span(1, 9, 10),
        "nationality": Span(1, 10, 13),
        "birth_date": Span(1, 13, 19),
        "birth_date_check": Span(1, 19, 20),
        "sex": Span(1, 20, 21),
        "expiry_date": Span(1, 21, 27),
        "expiry_date_check": Span(1, 27, 28),
    }
    if visa:
        return Layout(format=name, optional_data=Span(1, 28, length), **common)
    if length == 44:  # TD3: a personal number with its own check digit, then the composite
        return Layout(
            format=name,
            optional_data=Span(1, 28, 42),
            optional_data_check=Span(1, 42, 43),
            composite=Span(1, 43, 44),
            composite_data=(Span(1, 0, 10), Span(1, 13, 20), Span(1, 21, 43)),
            long_document_numbers=False,
            **common,
        )
    return Layout(
        format=name,
        optional_data=Span(1, 28, 35),
        composite=Span(1, 35, 36),
        composite_data=(Span(1, 0, 10), Span(1, 13, 20), Span(1, 21, 35)),
        **common,
    )


LAYOUTS: dict[str, Layout] = {
    TD1: Layout(
        format=TD1,
        line_count=3,
        line_length=30,
        document_code=Span(0, 0, 2),
        issuing_state=Span(0, 2, 5),
        document_number=Span(0, 5, 14),
        document_number_check=Span(0, 14, 15),
        optional_data=Span(0, 15, 30),
        birth_date=Span(1, 0, 6),
        birth_date_check=Span(1, 6, 7),
        sex=Span(1, 7, 8),
        expiry_date=Span(1, 8, 14),
        expiry_date_check=Span(1, 14, 15),
        nationality=Span(1, 15, 18),
        optional_data_2=Span(1, 18, 29),
        composite=Span(1, 29, 30),
        composite_data=(Span(0, 5, 30), Span(1, 0, 7), Span(1, 8, 15), Span(1, 18, 29)),
        name=Span(2, 0, 30),
    ),
    TD2: _two_line(TD2, 36, visa=False),
    TD3: _two_line(TD3, 44, visa=False),
    MRV_A: _two_line(MRV_A, 44, visa=True),
    MRV_B: _two_line(MRV_B, 36, visa=True),
}


def layout_for(lines: Sequence[str]) -> Layout | None:
    """The layout the lines' count, length and document code call for, if any."""
    if len(lines) == 3 and all(len(line) == 30 for line in lines):
        return LAYOUTS[TD1]
    if len(lines) != 2 or len(lines[0]) != len(lines[1]):
        return None
    visa = lines[0][:1] == "V"
    if len(lines[0]) == 44:
        return LAYOUTS[MRV_A if visa else TD3]
    if len(lines[0]) == 36:
        return LAYOUTS[MRV_B if visa else TD2]
    return None
