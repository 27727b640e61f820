"""Prefixes: a lemma without the prefix it was made with, when what remains is a word of its own.

Russian makes most perfective verbs, and many other words, by putting a prefix before a word: делать → сделать,
страдать → пострадать, голосовать → проголосовать, беспокоить → обеспокоить, доказанный → недоказанный. A
question and its answer often differ just so («Кто спроектировал мост?» — «Мост проектировали …»).
Lemmas keep such words apart, and so do roots (:mod:`searchkit.search.roots`), which compare the beginnings of
words; so a query word's lemma is also looked up without its prefix.

Taking letters off the front also finds words that only look prefixed, so the remainder must be a word
pymorphy3's dictionary knows (a form of any word: оборона → борона, заявление → явление, отстать → стать get
through) and at least :data:`MIN_BASE_CHARS` letters long, and it only ever adds to the score of a document the
query already matches. пре-, пред-, над- and меж- are left out: they mostly make words of their own
(прекрасный is not красный, предложить not ложить).
"""

from __future__ import annotations

from collections.abc import Callable

#: Prefixes of Russian verbs and of the words made from them, with their variants before some consonants
#: (раз/рас, из/ис) and vowels (со, обо, ото), and the negating не/недо/без of adjectives and participles.
PREFIXES = ("без", "бес", "в", "во", "воз", "вос", "вз", "вс", "вы", "до", "за", "из", "ис", "на", "не", "недо",
            "о", "об", "обо", "от", "ото", "пере", "по", "под", "подо", "при", "про", "раз", "рас", "с", "со", "у")

#: Letters a remainder needs at least: shorter ones are seldom the word the lemma was made from (при|рода).
MIN_BASE_CHARS = 5


def unprefixed(lemma: str, is_known: Callable[[str], bool]) -> list[str]:
    """The dictionary words (``is_known``) that ``lemma`` is one of :data:`PREFIXES` followed by:
    «спроектировать» → [«проектировать»], «недоказанный» → [«доказанный»]; [] for most lemmas."""
    return [lemma[len(prefix):] for prefix in PREFIXES
            if lemma.startswith(prefix) and len(lemma) - len(prefix) >= MIN_BASE_CHARS
            and is_known(lemma[len(prefix):])]
