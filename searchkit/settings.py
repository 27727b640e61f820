"""Settings that travel with an index.

Analyzer settings decide which terms are written to disk, so they are fixed when an index is created and
checked when it is opened; ranking settings only shape scores at query time and may be changed freely.
Both live in ``searchkit.json`` inside the index folder, never in module globals.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import SettingsError

#: Bumped whenever the schema or the analyzer's output changes, so an old index is refused, not misread.
SCHEMA_VERSION = 8

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
class Source:
    """A file or folder the index was built from, with the options it was read with, so that ``searchkit index``
    with no path syncs it again and ``--rebuild`` rebuilds from it. ``path`` is absolute."""

    path: str
    exclude: tuple[str, ...] = ()
    hidden: bool = False
    html: str = "main"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        return cls(path=str(data["path"]), exclude=tuple(data.get("exclude", ())), hidden=bool(data.get("hidden")),
                   html=str(data.get("html", "main")))


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
    #: The files and folders indexed, in the order first indexed.
    sources: tuple[Source, ...] = ()
    synonyms: SynonymSettings = field(default_factory=SynonymSettings)

    def with_ranking(self, **changes: float) -> Settings:
        """A copy with some ranking parameters changed (``k1``, ``b``, ``title_boost``, ``body_boost``,
        ``root_weight``)."""
        return replace(self, ranking=replace(self.ranking, **changes))

    def with_sources(self, sources: tuple[Source, ...]) -> Settings:
        """A copy recording ``sources`` too: one already recorded at the same path takes the new options."""
        given = {source.path: source for source in sources}
        kept = tuple(given.pop(source.path, source) for source in self.sources)
        return replace(self, sources=kept + tuple(given.values()))

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        return cls(
            analyzer=AnalyzerSettings(**data.get("analyzer", {})),
            ranking=RankingSettings(**data.get("ranking", {})),
            sources=tuple(Source.from_json(source) for source in data.get("sources", ())),
            synonyms=SynonymSettings(**data.get("synonyms", {})),
        )

    @classmethod
    def salvage(cls, index_dir: Path) -> Settings:
        """What an index folder's ``searchkit.json`` says, whichever schema version wrote it, for rebuilding
        that index: its analyzer and ranking settings where still valid, and the sources it records; the
        defaults for what cannot be read."""
        try:
            data = json.loads((index_dir / SETTINGS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        return cls.from_parts(data)

    @classmethod
    def from_parts(cls, data: Any) -> Settings:
        """Settings from what an index records, whichever schema version wrote it: each part that is still valid,
        the defaults for the rest."""
        if not isinstance(data, dict):
            return cls()
        parts: dict[str, Any] = {}
        for name, read in (("analyzer", lambda v: AnalyzerSettings(**v)), ("ranking", lambda v: RankingSettings(**v)),
                           ("synonyms", lambda v: SynonymSettings(**v)),
                           ("sources", lambda v: tuple(Source.from_json(source) for source in v))):
            try:
                parts[name] = read(data[name])
            except (KeyError, TypeError, ValueError, SettingsError):
                pass
        return cls(**parts)

    def save(self, index_dir: Path) -> None:
        """Write ``searchkit.json`` whole or not at all, and on the disk before returning (like a commit)."""
        path = index_dir / SETTINGS_FILE
        tmp = path.with_name(f"{SETTINGS_FILE}.{os.getpid()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as file:
                file.write(json.dumps(self.to_json(), indent=2, ensure_ascii=False))
                file.flush()
                os.fsync(file.fileno())
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        folder = os.open(index_dir, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
