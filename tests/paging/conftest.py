from __future__ import annotations

from collections.abc import Iterator

import pytest
from huey.contrib.djhuey import HUEY

from tests.incidents.conftest import crm, cs_rep, deputy, legal  # noqa: F401 - shared fixtures
from tests.notify.conftest import http_sink, smtp_sink  # noqa: F401 - real channels


@pytest.fixture(autouse=True)
def huey_immediate() -> Iterator[None]:
    """Tasks run in the test process; scheduled ones wait in memory, never in var/."""
    before = HUEY.immediate
    HUEY.immediate = True
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = before
