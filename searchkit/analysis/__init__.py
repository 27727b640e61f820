"""Russian text analysis: normalisation, tokenising, stop words and morphology.

Nothing here knows about files, indexes, engines or terminals; each piece is usable alone, and every word goes
through :meth:`Analyzer.word`.
"""

from .analyzer import (EXACT_MARK, AnalyzedToken, Analyzer, Token, WordTerms, analyze, exact_term, get_analyzer,
                       needs_exact_term)
from .candidates import may_have
from .lexicon import FormAnalysis, Lexicon, Reading
from .morphology import Morphology, get_morphology
from .normalize import fold
from .tokenizer import Word, is_compound, iter_words, match_forms, match_words

__all__ = ["EXACT_MARK", "AnalyzedToken", "Analyzer", "FormAnalysis", "Lexicon", "Morphology", "Reading", "Token",
           "Word", "WordTerms",
           "analyze", "exact_term", "fold", "get_analyzer", "get_morphology", "is_compound", "iter_words",
           "match_forms", "match_words", "may_have", "needs_exact_term"]
