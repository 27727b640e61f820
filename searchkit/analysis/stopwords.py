"""Russian stop words: the Snowball project's list (snowballstem.org/algorithms/russian/stop.txt, 151 words, as
PostgreSQL and Whoosh ship it), folded like every other word.

They are frequent function words (``и``, ``в``, ``что``, ``как``, ``не``) that cost index space and phrase-query
time while telling documents apart poorly. They are dropped from the index, but each still takes its position,
so a phrase such as «встреча с коллегой» matches with the gap where ``с`` stood.
"""

from __future__ import annotations

from .normalize import fold

_SNOWBALL_RUSSIAN = """
а без более больше будет будто бы был была были было быть в вам вас вдруг ведь во вот впрочем все всегда всего
всех всю вы где да даже два для до другой его ее ей ему если есть еще ж же за зачем здесь и из или им иногда их к
как какая какой когда конечно кто куда ли лучше между меня мне много может можно мой моя мы на над надо наконец нас
не него нее ней нельзя нет ни нибудь никогда ним них ничего но ну о об один он она они опять от перед по под после
потом потому почти при про раз разве с сам свою себе себя сейчас со совсем так такой там тебя тем теперь то тогда
того тоже только том тот три тут ты у уж уже хорошо хоть чего чем через что чтоб чтобы чуть эти этого этой этом
этот эту я
"""

RUSSIAN_STOPWORDS: frozenset[str] = frozenset(fold(word) for word in _SNOWBALL_RUSSIAN.split())
