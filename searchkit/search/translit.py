"""Reverse transliteration: Cyrillic spellings of a name written in Latin letters.

Names reach a Russian index in Latin through many schemes (GOST 7.79, ALA-LC, BGN/PCGN, ICAO, passports,
Wikipedia, and habit): «Ким Чен Ын» is «Kim Chen Yn», «Kim Chen In» or «Kim Tchen Yn»; «Пхеньян» is
«Pkhenyan» or «Phenyan». There is no single way back, so :func:`candidates` spells every reading of the
Latin letter groups these schemes use (``zh`` ж, ``kh`` х, ``shch`` щ, ``ya`` я or ья, ``y`` ы or й, ``i`` и, ы
or й, …) and the caller keeps the spellings its index knows. The forward direction (for tests and the
benchmark) is the ``iuliia`` library's schemes.
"""

from __future__ import annotations

import re
from itertools import islice

#: Latin letter groups → the Cyrillic they stand for in some scheme, likeliest first. Longest groups first.
_GROUPS: dict[str, tuple[str, ...]] = {
    "shch": ("щ",), "sch": ("щ", "ш"), "tch": ("ч",), "zh": ("ж",), "kh": ("х",), "ch": ("ч",), "sh": ("ш",),
    "ts": ("ц", "тс"), "tz": ("ц",), "cz": ("ч",), "dzh": ("дж",), "dj": ("дж",),
    "yu": ("ю", "ью"), "ju": ("ю", "ью"), "iu": ("ю", "ью", "иу"),
    "ya": ("я", "ья", "ыа"), "ja": ("я", "ья"), "ia": ("я", "ия", "ья"),
    "yo": ("е", "ье", "йо"), "jo": ("е",), "io": ("е", "ио"),
    "ye": ("е", "ье", "ые"), "je": ("е",), "ie": ("ие", "е", "ье"),
    "ey": ("ей", "ея"), "ay": ("ай", "ая"), "oy": ("ой", "оя"), "uy": ("уй",),
    "iy": ("ий", "ый"), "yy": ("ый", "ий"), "yi": ("ый", "ий", "ыи"), "ei": ("ей",),
    "ks": ("кс",), "ph": ("ф", "пх"), "th": ("т",), "ck": ("к",),
    "a": ("а",), "b": ("б",), "c": ("к", "ц"), "d": ("д",), "e": ("е", "э"), "f": ("ф",), "g": ("г",),
    "h": ("х", "г"), "i": ("и", "ы", "й"), "j": ("й", "дж"), "k": ("к",), "l": ("л", "ль"), "m": ("м",),
    "n": ("н", "нь"), "o": ("о",), "p": ("п",), "q": ("к",), "r": ("р",), "s": ("с",), "t": ("т", "ть"),
    "u": ("у",), "v": ("в",), "w": ("в",), "x": ("кс", "х"), "y": ("ы", "й", "и"), "z": ("з",),
    "'": ("ь", "ъ"), "\u2019": ("ь", "ъ"), "\"": ("ъ",),
}
_LONGEST = max(map(len, _GROUPS))
_WORD = re.compile(r"[a-z'\u2019\"]+")

#: Spellings generated per word at most, likeliest (fewest second choices) first.
MAX_CANDIDATES = 512
#: Longer words are not names (and are not indexed).
MAX_WORD_CHARS = 40


def is_transliterable(word: str) -> bool:
    return bool(_WORD.fullmatch(word.lower()))


def candidates(word: str, limit: int = MAX_CANDIDATES) -> list[str]:
    """Cyrillic spellings of the Latin ``word`` (lower case), those using the likeliest readings first.

    >>> candidates("putin")[0]
    'путин'
    """
    word = word.lower()
    if not is_transliterable(word) or len(word) > MAX_WORD_CHARS:
        return []
    # Every segmentation into groups, each group's reading with its rank as a cost; cheapest first.
    best: dict[str, int] = {}

    def walk(i: int, spelled: str, cost: int) -> None:
        if len(best) >= limit * 4 or cost > 6:
            return
        if i == len(word):
            if spelled not in best or cost < best[spelled]:
                best[spelled] = cost
            return
        for size in range(min(_LONGEST, len(word) - i), 0, -1):
            readings = _GROUPS.get(word[i:i + size])
            if readings:
                for rank, cyrillic in enumerate(readings):
                    walk(i + size, spelled + cyrillic, cost + rank + (size == 1 and word[i:i + 2] in _GROUPS))

    walk(0, "", 0)
    ranked = sorted(best.items(), key=lambda item: (item[1], item[0]))
    return [spelled for spelled, _ in islice(ranked, limit)]
