"""``make fuzz`` at the count CI affords: generated documents and malformed bodies over
every transport against a live daphne; no 5xx, nothing but JSON, no internal message.

``FUZZ_DOCUMENTS`` and ``FUZZ_BODIES`` (per transport) set the counts; ``make fuzz``
runs 10,000 and 3,000.
"""

from __future__ import annotations

import io
import os

from tests.fuzz.__main__ import fuzz
from tests.fuzz.server import live_example


def test_fuzzing_finds_no_5xx_no_html_and_no_internal_message() -> None:
    documents = int(os.environ.get("FUZZ_DOCUMENTS", "500"))
    bodies = int(os.environ.get("FUZZ_BODIES", "300"))
    out = io.StringIO()
    with live_example() as port:
        tally = fuzz(port, documents, bodies, out)
    assert sum(tally.sent.values()) >= documents * 5 + bodies * 4
    assert tally.failures == [], tally.summary() + "\n" + "\n".join(tally.failures[:10])
