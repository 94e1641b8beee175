"""Marsad: information system for a migration and displacement mission and its ministries."""

__version__ = "0.1.0"
