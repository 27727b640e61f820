"""The embedded index on Whoosh 2.7.4: the only part of searchkit that imports ``whoosh``.

- :mod:`.store`: the index folder, its settings, a context per thread on the latest commit;
- :mod:`.context`: one commit as a search reads it;
- :mod:`.schema`: the fields, and searchkit's analysis as a Whoosh analyzer;
- :mod:`.writing`: the single writer, with worker processes that analyse documents into segments of their own;
- :mod:`.ranking`: BM25F over posting lists decoded into arrays;
- :mod:`.translate` and :mod:`.matchers`: compiled queries as Whoosh queries, with the matchers that mend Whoosh's;
- :mod:`.internals`: every private Whoosh name used, behind a version check.
"""

from .context import WhooshContext
from .store import WhooshBackend

__all__ = ["WhooshBackend", "WhooshContext"]
