"""Estimating individuals from families: the household-size multipliers DTM uses when a source
gives only families (6 people a family, 5 in camps). Pure: no database, no Django models."""

DEFAULT_HOUSEHOLD_SIZE = 6
DEFAULT_HOUSEHOLD_SIZE_CAMP = 5
CAMP = "camp"


def household_sizes() -> tuple[int, int]:
    """The configured multipliers (``MARSAD_HOUSEHOLD_SIZE``, ``MARSAD_HOUSEHOLD_SIZE_CAMP``), or
    the defaults outside a configured Django project."""
    try:
        from django.conf import settings

        return (
            int(getattr(settings, "MARSAD_HOUSEHOLD_SIZE", DEFAULT_HOUSEHOLD_SIZE)),
            int(getattr(settings, "MARSAD_HOUSEHOLD_SIZE_CAMP", DEFAULT_HOUSEHOLD_SIZE_CAMP)),
        )
    except Exception:  # settings not configured: a plain script or a pure test
        return DEFAULT_HOUSEHOLD_SIZE, DEFAULT_HOUSEHOLD_SIZE_CAMP


def estimate_individuals(
    families: int,
    shelter_category: str,
    *,
    household_size: int | None = None,
    camp_household_size: int | None = None,
) -> int:
    """Individuals in ``families`` families living in ``shelter_category`` ("camp" uses the camp
    multiplier). Pass the multipliers to keep the call free of settings."""
    if isinstance(families, bool) or not isinstance(families, int):
        raise TypeError("families must be a whole number")
    if families < 0:
        raise ValueError("families cannot be negative")
    if household_size is None or camp_household_size is None:
        configured, configured_camp = household_sizes()
        household_size = configured if household_size is None else household_size
        camp_household_size = (
            configured_camp if camp_household_size is None else camp_household_size
        )
    multiplier = camp_household_size if (shelter_category or "").strip() == CAMP else household_size
    return families * multiplier
