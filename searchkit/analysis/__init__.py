"""Russian text analysis: normalisation, tokenising, stop words and morphology.

Nothing here knows about files, indexes or terminals; each piece is usable alone.
"""

from .analyzer import AnalyzedToken, WordTerms, analyze, build_analyzer
from .morphology import Morphology, Reading, get_morphology
from .normalize import fold
from .tokenizer import Word, iter_words

__all__ = ["AnalyzedToken", "Morphology", "Reading", "Word", "WordTerms", "analyze", "build_analyzer", "fold",
           "get_morphology", "iter_words"]
