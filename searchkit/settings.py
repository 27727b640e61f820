"""Settings that travel with an index.

Analyzer settings decide which terms are written to disk, so they are fixed when an index is created and
checked when it is opened; ranking settings only shape scores at query time and may be changed freely.
Both live in ``searchkit.json`` inside the index folder, never in module globals.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import SettingsError

#: Bumped whenever the schema or the analyzer's output changes, so an old index is refused, not misread.
SCHEMA_VERSION = 6

SETTINGS_FILE = "searchkit.json"


@dataclass(frozen=True)
class AnalyzerSettings:
    """How text becomes terms.

    ``terms``: what a known Russian word is indexed as — ``weighted-lemmas`` (every lemma of its dictionary
    parses, weighted by probability relative to the likeliest), ``all-lemmas`` (the same, all weighing 1),
    ``top-lemma`` (only the likeliest), ``lemmas+stem`` (weighted lemmas plus the Snowball stem), ``stem`` (the
    Snowball stem only) or ``form`` (the folded word itself, no morphology).
    ``stopwords``: leave Russian stop words out of the index (their positions are still counted).
    ``stem_unknown``: add the Snowball stem of words pymorphy3's dictionary does not know.
    ``exact_forms``: also index each word form that differs from its terms as ``=form`` at the same position
    (see :func:`~searchkit.analysis.analyzer.needs_exact_term`). The query ``=стали`` finds that form only on
    any index; with the forms indexed it is answered from the index, and prefixes also expand over word forms
    («люд*» finds «людей», lemma *человек*), at the cost of twice the indexing time and index size. Without them
    (the default), ``=стали`` reads the stored text of the documents having the form's lemmas.
    """

    terms: str = "weighted-lemmas"
    stopwords: bool = True
    stem_unknown: bool = True
    exact_forms: bool = False

    def __post_init__(self) -> None:
        if self.terms not in TERM_MODES:
            raise SettingsError(f"terms={self.terms!r}: choose one of {', '.join(TERM_MODES)}")


TERM_MODES = ("weighted-lemmas", "all-lemmas", "top-lemma", "lemmas+stem", "stem", "form")


@dataclass(frozen=True)
class RankingSettings:
    """BM25F parameters, per-field boosts and the weight of roots, applied at query time.

    The defaults are chosen on the XQuAD-ru development questions; benchmarks/README.md gives the figures. k1 and
    b move nDCG@10 by a few thousandths only, and 1.0 and 0.5 are the pair that keeps every set ahead of every peer;
    a root weight a little below 1 does best. A title usually repeats in the body, so matching it in both fields
    already weighs it double, and a further boost made titled distractors outrank the answers.
    """

    k1: float = 1.0
    b: float = 0.5
    title_boost: float = 1.0
    body_boost: float = 1.0
    #: The share of the score of a query word's roots (see :mod:`~searchkit.search.roots`) added to a document
    #: the query matches; 0 ranks by lemmas alone.
    root_weight: float = 0.9

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise SettingsError(f"{name}={value!r}: a ranking parameter is a number ≥ 0")
            if name.endswith("_boost") and value == 0:
                # Matching a field that counts for nothing: search the other one with «body:» or «title:».
                raise SettingsError(f"{name}=0: a field boost is a number > 0")


@dataclass(frozen=True)
class SynonymSettings:
    """Query-time synonyms (see :mod:`~searchkit.search.synonyms`): whether the default list of Russian
    abbreviations shipped with searchkit applies beside the index's own ``synonyms.txt``, and the share of a
    typed word's score that a synonym found in its place counts with (benchmarks/README.md: the figures that
    chose it)."""

    defaults: bool = True
    weight: float = 0.5

    def __post_init__(self) -> None:
        if not isinstance(self.defaults, bool):
            raise SettingsError(f"defaults={self.defaults!r}: true or false")
        if isinstance(self.weight, bool) or not isinstance(self.weight, (int, float)) or not 0 < self.weight <= 1:
            raise SettingsError(f"weight={self.weight!r}: a synonym's weight is a number above 0, at most 1")


@dataclass(frozen=True)
class Settings:
    analyzer: AnalyzerSettings = field(default_factory=AnalyzerSettings)
    ranking: RankingSettings = field(default_factory=RankingSettings)
    synonyms: SynonymSettings = field(default_factory=SynonymSettings)

    def with_ranking(self, **changes: float) -> Settings:
        """A copy with some ranking parameters changed (``k1``, ``b``, ``title_boost``, ``body_boost``,
        ``root_weight``)."""
        return replace(self, ranking=replace(self.ranking, **changes))

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        return cls(
            analyzer=AnalyzerSettings(**data.get("analyzer", {})),
            ranking=RankingSettings(**data.get("ranking", {})),
            synonyms=SynonymSettings(**data.get("synonyms", {})),
        )

    def save(self, index_dir: Path) -> None:
        path = index_dir / SETTINGS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
