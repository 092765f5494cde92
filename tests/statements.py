"""Counting SQL: the statements an engine runs while a block runs (query budgets, batching)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def recorded_statements(engine) -> Iterator[list[str]]:
    """The SQL text of each statement ``engine`` sends inside the block, in order."""
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
