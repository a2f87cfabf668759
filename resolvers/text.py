"""What counts as text a person typed: shared by the mutation rules and the search filters."""

from __future__ import annotations

import unicodedata

# Control characters (NUL, escapes) and unpaired surrogates: no keyboard makes them, SQLite
# cuts a string at a NUL, PostgreSQL refuses one, and a surrogate cannot be encoded as UTF-8.
_UNPRINTABLE = frozenset({"Cc", "Cs"})
# Line breaks and tabs are typed text in free-text fields (a visit's notes).
_TYPED_CONTROLS = frozenset("\n\r\t")
# Characters that show nothing: format characters (zero-width space and joiners, the byte
# order mark, direction marks), separators, unassigned and private-use code points, and the
# letters that render blank (Hangul fillers, the blank Braille pattern).
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def unprintable(value: str) -> bool:
    """Whether `value` holds a control character (other than a line break or tab) or an
    unpaired surrogate."""
    return any(
        unicodedata.category(ch) in _UNPRINTABLE and ch not in _TYPED_CONTROLS for ch in value
    )


def visible(value: str) -> bool:
    """Whether `value` shows anything at all when printed."""
    return any(
        unicodedata.category(ch) not in _INVISIBLE and ch not in _BLANK_LETTERS for ch in value
    )
