"""Spreadsheet safety shared by every export the portal writes."""

# Text starting with these is run by Excel or LibreOffice as a formula (or DDE command).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def neutralise_formula(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would otherwise run it (formula injection)."""
    return "'" + text if is_formula_like(text) else text
