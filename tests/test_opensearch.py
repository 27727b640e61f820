"""The OpenSearch backend on a real cluster: the search, library, archive, query-understanding and synonym tests
of the embedded index, run again with their indexes on a cluster (see :mod:`tests.cluster`).

Run with ``pytest -m opensearch`` against a cluster started by ``scripts/opensearch-cluster start``, its URL in
``SEARCHKIT_TEST_OPENSEARCH`` (``.ci/run`` does both); without one, these tests skip with that reason.
"""

from __future__ import annotations

import pytest

from tests.cluster import *  # noqa: F401,F403

# The same sentences, forms and expectations hold for both backends.
from tests.test_archive_search import *  # noqa: F401,F403
from tests.test_intelligence import *  # noqa: F401,F403
from tests.test_library import *  # noqa: F401,F403
from tests.test_search import *  # noqa: F401,F403
from tests.test_synonyms import *  # noqa: F401,F403

# Those that edit the embedded index's synonyms.txt by hand: a cluster index keeps its dictionary in its state.
del test_the_file_is_read_when_it_changes, test_a_bad_line_is_reported_with_its_number  # noqa: F821
del test_a_file_that_is_not_utf8_is_reported_with_its_line  # noqa: F821

pytestmark = pytest.mark.opensearch
