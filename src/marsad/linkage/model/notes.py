"""Notes on what training did, written where Django is not imported and read in any language.

The model package runs without Django (the ``dedupe`` command, Spark), so its notes cannot call
``gettext``. A :class:`Note` is the English sentence itself (a ``str``: the command prints it,
and tests compare it as text) that also keeps its template and values, so the linkage runs,
which are Django's, translate it (``marsad.linkage.runs.engine``) for the user who started them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a template for translation: ``makemessages`` collects what this wraps."""
    return message


class Note(str):
    """One note: the English text, with the ``template`` and ``values`` it was made from."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, **values: Any) -> Note:
        note = super().__new__(cls, _filled(template, values))
        note.template = template
        note.values = values
        return note

    def translated(self, gettext: Callable[[str], str]) -> str:
        """The note in the language ``gettext`` translates into."""
        return _filled(gettext(self.template), self.values)

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles keep the template
        return (_rebuild, (self.template, self.values))


def _filled(template: str, values: dict[str, Any]) -> str:
    return template % values if values else template


def _rebuild(template: str, values: dict[str, Any]) -> Note:
    return Note(template, **values)
