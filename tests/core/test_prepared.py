"""core.prepared: fixed SQL prepared once a connection on PostgreSQL, run as itself elsewhere."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.prepared import fetch_all

pytestmark = pytest.mark.django_db

SQL = "SELECT %s + 1, %s"


def test_each_run_is_one_logged_query_with_its_parameters():
    with CaptureQueriesContext(connection) as captured:
        first = fetch_all(connection, SQL, [1, "a"], label="test_sum")
        second = fetch_all(connection, SQL, [41, "b"], label="test_sum")

    assert first == [(2, "a")] and second == [(42, "b")]
    assert len(captured) == 2
    if connection.vendor == "postgresql":
        assert all(q["sql"].startswith("EXECUTE test_sum_") for q in captured)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_a_new_connection_prepares_the_statement_again():
    assert fetch_all(connection, SQL, [1, "a"], label="test_sum") == [(2, "a")]
    connection.close()  # the server forgets its prepared statements with the connection

    assert fetch_all(connection, SQL, [2, "b"], label="test_sum") == [(3, "b")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_a_prepared_statement_outlives_a_rolled_back_transaction():
    from django.db import transaction

    sql = "SELECT %s * 2"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert fetch_all(connection, sql, [2], label="test_double") == [(4,)]
        raise RuntimeError("roll back")

    assert fetch_all(connection, sql, [3], label="test_double") == [(6,)]
