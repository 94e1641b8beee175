"""Small helpers for writing character tables compactly."""

#: Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits to ASCII.
DIGITS = {chr(base + value): str(value) for base in (0x0660, 0x06F0) for value in range(10)}


def pairs(spec: str) -> dict[str, str]:
    """A letter table written compactly: "أ:ا ء:" → {"أ": "ا", "ء": ""} (empty deletes)."""
    return dict(item.split(":", 1) for item in spec.split())
