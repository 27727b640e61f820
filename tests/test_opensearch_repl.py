"""The interactive prompt on a cluster index: the REPL's tests run again on the corpus indexed on a cluster."""

from __future__ import annotations

import pytest

from tests.cluster import *  # noqa: F401,F403
from tests.test_repl import *  # noqa: F401,F403

pytestmark = pytest.mark.opensearch
