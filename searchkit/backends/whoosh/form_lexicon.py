"""Each segment's lexicon of forms: every distinct word form its documents were analysed into, with what the
morphology gave it (:class:`~searchkit.analysis.FormAnalysis`), in a file beside the segment
(``MAIN_<segment id>.forms``), written once, with the segment.

A search's words and the words of the documents it shows are mostly forms the collection has, so a new process
answers them from the lexicons of its commit (:class:`CommitForms`, which the morphology remembers) instead of
loading pymorphy3 and analysing them again; and snippets find the forms of a query's terms in a shown text by
looking up which forms of the collection have those terms. A segment written without a lexicon (by an earlier
version, or merged from one that had none) leaves its commit's lexicon incomplete: its forms are analysed by
pymorphy3 and snippets test each word of a shown text, as before.

The file is a marisa-trie, memory-mapped: a key :data:`FORM` + form holds the form's analysis, and a key
:data:`TERM` + term each form that has the term (after one byte: the term's place among the form's terms).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterable, Iterator

import marisa_trie
from whoosh.writing import SegmentWriter

from ...analysis import FormAnalysis, Reading, get_morphology
from ...settings import AnalyzerSettings
from .internals import fsync_path
from .term_tables import CONTROL_RE, PARTIAL

SUFFIX = ".forms"
FORM, TERM = "\x01", "\x02"
#: Between the parts of a form's analysis: its terms, and each term's weight (and each reading's parts).
_ITEMS, _PARTS, _READINGS = "\x1e", "\x1f", "\x1d"

_recording = threading.local()


def lexicon_path(folder: str, segment_id: str) -> str:
    return os.path.join(folder, segment_id + SUFFIX)


def record_forms() -> set[str]:
    """Start recording, in this thread, the folded forms that documents are analysed into for the index (see
    :func:`recording`); the set they are added to."""
    forms: set[str] = set()
    _recording.forms = forms
    return forms


def recording() -> set[str] | None:
    """The set the analyzer adds each indexed word's folded form to, in this thread; None when not recording."""
    return getattr(_recording, "forms", None)


class FormsRecorder:
    """Keeps the folded forms of the documents that a segment writer analyses in this thread, to write the
    segment's lexicon (:meth:`write`), with ``kept_words``, which every search of the index analyses."""

    def __init__(self, writer: SegmentWriter, kept_words: Iterable[str] = ()) -> None:
        self.segment_id: str = writer.newsegment.segment_id()
        self._settings: AnalyzerSettings = writer.schema["body"].analyzer.settings
        self._forms = record_forms()
        self._forms.update(kept_words)

    def stop(self) -> None:
        """Stop recording (the writer's documents are all analysed, or dropped)."""
        if getattr(_recording, "forms", None) is self._forms:
            _recording.forms = None

    def write(self, folder: str, absorbed: Iterable[str] = ()) -> None:
        """Write the segment's lexicon: its documents' forms and those of the segments ``absorbed`` into it (by a
        merge); none when one of those has no lexicon, which would leave out some of its forms. A lexicon only
        spares analysis: one that cannot be written leaves the segment to pymorphy3."""
        self.stop()
        forms = self._forms
        for segment_id in absorbed:
            found = read_forms(folder, segment_id)
            if found is None:
                return
            forms |= found
        try:
            write_lexicon(folder, self.segment_id, forms, self._settings)
        except Exception:
            with contextlib.suppress(OSError):
                os.remove(lexicon_path(folder, self.segment_id) + PARTIAL)


def write_lexicon(folder: str, segment_id: str, forms: Iterable[str], settings: AnalyzerSettings) -> None:
    """Write a segment's lexicon of ``forms``, analysed under ``settings``, replaced whole (a crash leaves it
    whole or absent)."""
    morphology = get_morphology(settings.terms, settings.stem_unknown)

    def entries() -> Iterator[tuple[str, bytes]]:  # handed to the trie one by one, never all held in a list
        for form in forms:
            analysis = morphology.analysis(form)
            yield FORM + form, _encode(analysis)
            for rank, (term, _) in enumerate(analysis.weighted):
                yield TERM + term, bytes((rank,)) + form.encode("utf-8")

    path = lexicon_path(folder, segment_id)
    partial = path + PARTIAL
    marisa_trie.BytesTrie(entries()).save(partial)
    fsync_path(partial)  # on the disk before its name is (the commit syncs the folder)
    os.replace(partial, path)


def read_forms(folder: str, segment_id: str) -> set[str] | None:
    """Every form of a segment's lexicon; None when it has none that can be read."""
    lexicon = read_lexicon(folder, segment_id)
    return None if lexicon is None else {key[1:] for key in lexicon.keys(FORM)}


def _encode(analysis: FormAnalysis) -> bytes:
    text = _ITEMS.join(f"{term}{_PARTS}{weight!r}" for term, weight in analysis.weighted)
    if analysis.readings:
        text += _READINGS + _ITEMS.join(_PARTS.join((r.lemma, r.pos, repr(r.score))) for r in analysis.readings)
    return text.encode("utf-8")


def _decode(value: bytes) -> FormAnalysis:
    weighted, _, readings = value.decode("utf-8").partition(_READINGS)
    terms = tuple((term, float(weight)) for term, weight in (item.split(_PARTS) for item in weighted.split(_ITEMS)))
    if not readings:
        return FormAnalysis(terms)
    return FormAnalysis(terms, tuple(Reading(lemma, pos, float(score))
                                     for lemma, pos, score in (item.split(_PARTS) for item in readings.split(_ITEMS))))


def read_lexicon(folder: str, segment_id: str) -> marisa_trie.BytesTrie | None:
    """A segment's lexicon, memory-mapped; None when it has none or it cannot be read."""
    try:
        return marisa_trie.BytesTrie().mmap(lexicon_path(folder, segment_id))
    except Exception:  # missing, cut short, or not a trie: the morphology answers instead
        return None


def lexicon_covers(folder: str, segment_id: str, forms: Iterable[str]) -> bool:
    """Whether the segment's lexicon can be read, each of its analyses decoded, and it has every one of
    ``forms``."""
    lexicon = read_lexicon(folder, segment_id)
    if lexicon is None:
        return False
    try:
        for _, value in lexicon.items(FORM):
            _decode(value)
    except (UnicodeDecodeError, ValueError):
        return False
    return all(FORM + form in lexicon for form in forms)


class CommitForms:
    """The lexicons of one commit's segments (``segment_ids``, in the index folder ``folder``), as one
    :class:`~searchkit.analysis.Lexicon`."""

    def __init__(self, folder: str, segment_ids: Iterable[str]) -> None:
        lexicons = [read_lexicon(folder, segment_id) for segment_id in segment_ids]
        self._lexicons = [lexicon for lexicon in lexicons if lexicon is not None]
        #: Whether every segment has its lexicon, so that it holds every form of the commit's documents.
        self.complete = len(self._lexicons) == len(lexicons)

    def close(self) -> None:
        """Let go of the mapped files (whoever still holds this lexicon finds no forms in it)."""
        self._lexicons, self.complete = [], False

    def analysis(self, form: str) -> FormAnalysis | None:
        if CONTROL_RE.search(form):
            return None
        key = FORM + form
        for lexicon in self._lexicons:
            found = lexicon.get(key)
            if found:
                return _decode(found[0])
        return None

    def forms_having(self, terms: Iterable[str]) -> dict[str, str] | None:
        """A term lists each form that has it with its place among the form's terms, so the first of them is
        told without reading the forms' analyses."""
        if not self.complete:
            return None
        found: dict[str, tuple[int, str]] = {}
        for term in set(terms):
            if CONTROL_RE.search(term):
                continue
            key = TERM + term
            for lexicon in self._lexicons:
                for entry in lexicon.get(key, ()):
                    form = entry[1:].decode("utf-8")
                    if entry[0] < found.get(form, (256, ""))[0]:
                        found[form] = (entry[0], term)
        return {form: term for form, (_, term) in found.items()}
