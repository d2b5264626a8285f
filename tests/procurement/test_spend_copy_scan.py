"""The byte checks the COPY path makes as the file streams past, against their definitions."""

from __future__ import annotations

import io
import re

from hypothesis import given
from hypothesis import strategies as st

from procurement.importers.spend_copy import _LineCounter, _stray_quote

# The definition: a quote with neither a delimiter nor another quote on either side.
STRAY = re.compile(rb'[^,\r\n"]"[^,\r\n"]')
BYTES = st.binary(max_size=60) | st.lists(
    st.sampled_from([b'"', b",", b"\r", b"\n", b"a", b"\xc2\xa3", b" "]), max_size=40
).map(b"".join)


@given(BYTES)
def test_a_stray_quote_is_found_exactly_where_the_definition_finds_one(data):
    assert _stray_quote(data) == bool(STRAY.search(data))


@given(BYTES, st.integers(min_value=1, max_value=7))
def test_line_counts_do_not_depend_on_where_the_blocks_split(data, size):
    whole = _LineCounter(io.BytesIO(data))
    while whole.read(1 << 20):
        pass
    pieces = _LineCounter(io.BytesIO(data))
    while pieces.read(size):
        pass

    assert (pieces.count, pieces.lone_returns, pieces.stray_quote) == (
        whole.count,
        whole.lone_returns,
        whole.stray_quote,
    )
    assert whole.stray_quote == bool(STRAY.search(data))
    text = data.replace(b"\r\n", b"\n")
    assert whole.lone_returns == text.count(b"\r")
