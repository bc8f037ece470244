"""Vietnamese alphabetical order: a ă â b c d đ e ê g … o ô ơ … u ư …, tones after letters.

Code-point order puts "Bình Gia" before "Bắc Sơn" (ắ sorts after every ASCII letter); sorting
with :func:`vietnamese_key` follows the alphabet the way an officer reads a list.
"""
import unicodedata

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: i for i, letter in enumerate(ALPHABET)}
# Combining marks that make a letter of its own (breve, circumflex, horn) and the five tones.
_LETTER_MARKS = {"\u0306": "ă", "\u0302": "â", "\u031b": "ơ"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


_COMBINED = {"ă": {"a": "ă"}, "â": {"a": "â", "e": "ê", "o": "ô"}, "ơ": {"o": "ơ", "u": "ư"}}


def _letters(text: str) -> list[tuple[str, int]]:
    """(letter, tone) per letter of ``text``, lower-cased."""
    out: list[tuple[str, int]] = []
    for char in unicodedata.normalize("NFD", text.lower()):
        if char in _TONES:
            if out:
                out[-1] = (out[-1][0], _TONES[char])
            continue
        if char in _LETTER_MARKS and out:
            base = out[-1][0]
            out[-1] = (_COMBINED[_LETTER_MARKS[char]].get(base, base), out[-1][1])
            continue
        out.append((char, 0))
    return out
    return out


def vietnamese_key(text: str) -> tuple:
    """A sort key: letters by the Vietnamese alphabet first, then tones (none, huyền, hỏi, ngã, sắc, nặng)."""
    letters = _letters(text or "")
    primary = tuple(_RANK.get(letter, 100 + ord(letter[0])) for letter, _tone in letters)
    return primary, tuple(tone for _letter, tone in letters)
