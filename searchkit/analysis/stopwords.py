"""Russian stop words: the Snowball project's list (snowballstem.org/algorithms/russian/stop.txt, 151 words),
as shipped with Whoosh, folded like every other word.

They are frequent function words (``и``, ``в``, ``что``, ``как``, ``не``) that cost index space and phrase-query
time while telling documents apart poorly. They are dropped from the index, but each still takes its position,
so a phrase such as «встреча с коллегой» matches with the gap where ``с`` stood.
"""

from __future__ import annotations

from whoosh.lang.stopwords import stoplists

from .normalize import fold

RUSSIAN_STOPWORDS: frozenset[str] = frozenset(fold(word) for word in stoplists["ru"])
