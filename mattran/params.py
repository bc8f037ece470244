"""Reading request parameters that users (and scanners) can type anything into."""
from __future__ import annotations


def int_param(text: str | None, default: int | None = None, *, allowed=None) -> int | None:
    """``text`` as an integer, or ``default`` when it is not one (or not among ``allowed``, when given)."""
    try:
        number = int(text)
    except (TypeError, ValueError):
        return default
    if allowed is not None and number not in allowed:
        return default
    return number


# Years a URL may name; beyond them links to the year before or after cannot be built.
PLAUSIBLE_YEARS = range(2000, 2101)
