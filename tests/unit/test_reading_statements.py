"""Which statements a reading request may run outside a transaction (bench.database): a
plain SELECT only. A miss would let a write or a lock escape its transaction, so every
kind that writes or locks is listed; a false alarm only costs a BEGIN, but reads of
columns whose names hold those words (updated_at, format) must stay plain reads."""

import pytest

from bench.database import _may_write_or_lock

WRITES_OR_LOCKS = [
    "INSERT INTO values (id) VALUES (1)",
    "UPDATE user_sessions SET last_seen_at = now() WHERE id = 1",
    "DELETE FROM follows WHERE id = 1",
    "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
    "WITH moved AS (DELETE FROM a RETURNING *) SELECT * FROM moved",
    "WITH a AS (SELECT 1) SELECT * FROM a",  # any WITH: it may hold a write
    "SET statement_timeout = '1s'",
    "SHOW statement_timeout",
    "select id from reviews where id = 1 for update",
    "SELECT id FROM reviews FOR UPDATE OF reviews NOWAIT",
    "SELECT id FROM reviews\nFOR  NO KEY UPDATE",
    "SELECT id FROM reviews FOR SHARE",
    "SELECT id FROM reviews FOR KEY SHARE",
    "SELECT pg_advisory_xact_lock(7, 1)",
    "SELECT pg_try_advisory_lock(7)",
    "SELECT nextval('values_id_seq')",
    "SELECT setval('values_id_seq', 10)",
    "SELECT set_config('search_path', 'x', true)",
    "  SELECT 1; DELETE FROM follows",
]
PLAIN_READS = [
    "SELECT 1",
    "  select id from values where id = 1",
    "SELECT users.updated_at, periods.released_at FROM users, periods",
    "SELECT format, information, performance FROM t ORDER BY deleted_at",
    "SELECT count(*) FROM follow_up_actions WHERE inserted_by = 1",
]


@pytest.mark.parametrize("statement", WRITES_OR_LOCKS)
def test_what_may_write_or_lock_opens_a_transaction(statement):
    assert _may_write_or_lock(statement)


@pytest.mark.parametrize("statement", PLAIN_READS)
def test_plain_reads_run_outside_one(statement):
    assert not _may_write_or_lock(statement)
