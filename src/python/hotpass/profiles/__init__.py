"""Source-family profiles: which sheets, header rows and columns a workbook family has."""

from hotpass.profiles.loader import builtin_profiles, load_profile
from hotpass.profiles.model import CANONICAL_FIELDS, ColumnSpec, Profile, SheetSpec

__all__ = [
    "CANONICAL_FIELDS",
    "ColumnSpec",
    "Profile",
    "SheetSpec",
    "builtin_profiles",
    "load_profile",
]
