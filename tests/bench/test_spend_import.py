"""make bench's spend import figures: the file, the import and the CPU seconds beside the wall."""

from __future__ import annotations

import pytest
from django.db import connection

from bench.spend_import import raw_copy, spend_file_import, spend_file_write

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the bench reads a PostgreSQL backend's CPU"
    ),
]


def test_the_raw_copy_and_the_import_report_their_cpu_seconds(tmp_path):
    path = tmp_path / "spend.csv"
    spend_file_write(path, lines=300, suppliers=20)

    copied = raw_copy(path)
    imported = spend_file_import(path)

    assert copied["database_cpu"] >= 0 and copied["seconds"] >= 0
    assert imported["status"] == "imported" and imported["rows_imported"] == 300
    assert imported["python_cpu"] > 0
    assert imported["database_cpu"] is not None and imported["database_cpu"] >= 0
