"""csvread's whole-file checks: where a problem is, in lines as csv counts them."""

from __future__ import annotations

import codecs
import gc
import io

import pytest

from procurement.importers.csvread import BLOCK_SIZE, CsvRecords, FileProblem, scan_bytes

HEADER = b"Supplier Name,Amount,Date\n"


def _problem(content: bytes) -> str:
    with pytest.raises(FileProblem) as problem:
        scan_bytes(io.BytesIO(content))
    return str(problem.value)


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_a_nul_byte_names_its_line_whatever_the_line_endings(ending):
    content = ending.join([b"Supplier Name,Amount,Date", b"Acme,1,01/04/2024", b"Ac\x00me,2,x"])

    assert "a NUL byte on line 3" in _problem(content)


def test_a_line_ending_split_between_two_blocks_is_one_line_ending():
    header = b"Supplier Name,Amount,Date\r\n"
    first = header + b"x" * (BLOCK_SIZE - len(header) - 1) + b"\r"
    assert len(first) == BLOCK_SIZE
    content = first + b"\nAcme\x00,1,01/04/2024\r\n"

    assert "a NUL byte on line 3" in _problem(content)


def test_a_byte_windows_1252_leaves_undefined_names_its_line():
    content = HEADER + "Café Ltd,1,01/04/2024\n".encode("cp1252") + b"Caf\x81,2,01/04/2024\n"

    assert "(byte 0x81 on line 3 is in neither)" in _problem(content)


def test_the_undefined_byte_counts_even_where_it_came_in_a_good_utf8_sequence():
    # "Á" is C3 81 in UTF-8; the later "é" in Windows-1252 makes it a Windows-1252 file, in
    # which 0x81 means nothing.
    content = HEADER + "Á Ltd,1,01/04/2024\n".encode() + "Café,2,01/04/2024\n".encode("cp1252")

    assert "(byte 0x81 on line 2 is in neither)" in _problem(content)


def test_a_utf8_file_holding_the_same_byte_inside_a_character_is_utf8():
    content = HEADER + "Á Ltd,1,01/04/2024\n".encode()

    assert scan_bytes(io.BytesIO(content)).encoding == "utf-8-sig"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_named_as_utf16(codec):
    content = "Supplier Name,Amount,Date\nAcme,1,01/04/2024\n".encode(codec)

    assert "saved as UTF-16" in _problem(content)
    assert "without a byte order mark" in _problem(content)


def test_a_byte_order_mark_and_blank_lines_are_an_empty_file():
    assert _problem(codecs.BOM_UTF8 + b"\r\n \n") == "The file is empty"


def _records(text: str) -> list[tuple[int, list[str]]]:
    return list(CsvRecords(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    "text,line",
    [
        ('a,b\nc,"d', 2),
        ('a,b\nc,"d\ne,f\n', 2),
        ('a,"b\nc"\nd,e\n"f,g\n', 4),
    ],
    ids=["last-line-no-newline", "runs-to-the-end", "after-a-good-multiline-cell"],
)
def test_a_quote_never_closed_names_the_line_of_its_row(text, line):
    with pytest.raises(FileProblem, match=rf"The row on line {line} opens a quote mark"):
        _records(text)


@pytest.mark.parametrize(
    "text,rows",
    [
        ('a,b\nc,"d"', [(1, ["a", "b"]), (2, ["c", "d"])]),
        ('a,"b\nc"\r\nd,e\r', [(1, ["a", "b\nc"]), (3, ["d", "e"])]),
        ('"Acme" Ltd,1\n', [(1, ["Acme Ltd", "1"])]),
    ],
    ids=["closed-at-the-end", "multiline-cell", "text-after-the-closing-quote"],
)
def test_quotes_that_close_read_as_before(text, rows):
    assert _records(text) == rows


def test_a_cell_over_the_field_limit_on_one_line_names_the_line():
    with pytest.raises(FileProblem, match=r"Line 2 has a cell of more than 131,072 characters"):
        _records("a,b\n" + "x" * 200_000 + ",1\n")


def test_a_cell_over_the_field_limit_across_lines_points_to_a_quote():
    text = 'a,b\nc,"d\n' + "x,y\n" * 50_000

    with pytest.raises(FileProblem, match=r"starting on line 2 runs on to line \d+.*quote mark"):
        _records(text)


def test_records_left_unread_do_not_close_the_callers_stream():
    stream = io.BytesIO(b"a,b\nc,d\n")
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")

    records = iter(CsvRecords(text))
    assert next(records) == (1, ["a", "b"])
    del records
    gc.collect()

    assert not text.closed
    text.detach()
    assert not stream.closed
