"""Keyboard layout: text typed with the wrong layout switched on, converted key by key (ЙЦУКЕН ↔ QWERTY).

«ghbdtn» is «привет» typed on the Latin layout, «Genby» is «Путин», and «шзрщту» is «iphone» typed on the
Russian one. The table is the standard Russian ЙЦУКЕН layout over US QWERTY, lower and upper case.
"""

from __future__ import annotations

_LATIN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,." + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>'
_CYRILLIC = "ёйцукенгшщзхъфывапролджэячсмитьбю" + "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ"

_TO_CYRILLIC = str.maketrans(_LATIN, _CYRILLIC)
_TO_LATIN = str.maketrans(_CYRILLIC, _LATIN)

#: The keys of Russian letters on the Latin layout: a word typed in the wrong layout is made of these.
LATIN_KEYS = frozenset(_LATIN)
CYRILLIC_KEYS = frozenset(_CYRILLIC)


def to_cyrillic(text: str) -> str:
    """What ``text``, typed on the Latin layout, was meant to be on the Russian one (``ghbdtn`` → ``привет``)."""
    return text.translate(_TO_CYRILLIC)


def to_latin(text: str) -> str:
    """What ``text``, typed on the Russian layout, was meant to be on the Latin one (``шзрщту`` → ``iphone``)."""
    return text.translate(_TO_LATIN)


def flip(text: str) -> str:
    """``text`` converted to the other layout: Latin keys to Cyrillic letters and Cyrillic letters to Latin keys."""
    return "".join(to_latin(ch) if ch in CYRILLIC_KEYS else to_cyrillic(ch) if ch in LATIN_KEYS else ch
                   for ch in text)
