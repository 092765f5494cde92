"""Claiming outbox rows for one worker, and recording what happened to them (worker.py sends).

Every change is conditional on the claim token a worker wrote, so a row that
another worker has taken since (its lease ended) is never touched.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from patient_app.models import OutboxItem, PushSubscription


# --- Claiming and finishing rows -------------------------------------------------


def claim(session: Session, worker_id: str, now: dt.datetime, limit: int, lease: dt.timedelta) -> tuple[str, list[int]]:
    """Take up to ``limit`` due rows for this worker; returns (claim token, row ids)."""
    token = f"{worker_id}:{uuid.uuid4().hex[:16]}"
    due = (
        select(OutboxItem.id)
        .where(OutboxItem.due_at <= now)
        .where(or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until < now))
        .order_by(OutboxItem.due_at, OutboxItem.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(due.with_for_update(skip_locked=True)))
        if ids:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(ids))
                .values(claimed_by=token, claimed_until=now + lease)
            )
        session.commit()
        return token, ids
    # SQLite: one UPDATE is atomic (writers take turns); the WHERE repeats the
    # "not claimed" test so a row is never taken from a live lease.
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_(due.scalar_subquery()))
        .where(or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until < now))
        .values(claimed_by=token, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    ids = list(session.scalars(select(OutboxItem.id).where(OutboxItem.claimed_by == token)))
    return token, ids


# One statement for the whole group, run once per row's values (executemany).
_subscriptions = PushSubscription.__table__
LAST_SENT = (
    update(_subscriptions).where(_subscriptions.c.id == bindparam("subscription")).values(last_sent_at=bindparam("sent_at"))
)


class Ledger:
    """What happened to each claimed row, written in small groups.

    The statements wait in memory and run together in one short transaction
    every ``every`` rows and at the end of a batch, so no transaction (and,
    on SQLite, no write lock) stays open while we talk to a push service, and
    SQLite's fsync is paid once per group. Every change is conditional on our
    claim token, so a row another worker took is never touched. If the worker
    dies before a group is written, those rows are sent again when their lease
    ends; the Topic header and the notification's tag make the phone show one
    notification, not two.
    """

    def __init__(self, session: Session, token: str, every: int = 1):
        self.session = session
        self.token = token
        self.every = max(1, every)
        self.statements: list = []
        # The common case, a row sent or dropped, is kept as ids and written with two
        # statements per group, not two per row: per row, it was a quarter of the send time.
        self.finished: list[int] = []
        self.last_sent: dict[int, dt.datetime] = {}
        self.rows = 0

    def _add(self, *statements) -> None:
        self.statements.extend(statement.execution_options(synchronize_session=False) for statement in statements)
        self._count_row()

    def _count_row(self) -> None:
        self.rows += 1
        if self.rows >= self.every:
            self.flush()

    def flush(self) -> None:
        if not (self.statements or self.finished or self.last_sent):
            return
        if self.finished:
            self.session.execute(
                delete(OutboxItem)
                .where(OutboxItem.id.in_(self.finished), OutboxItem.claimed_by == self.token)
                .execution_options(synchronize_session=False)
            )
        if self.last_sent:
            self.session.execute(LAST_SENT, [
                {"subscription": subscription_id, "sent_at": sent_at} for subscription_id, sent_at in self.last_sent.items()
            ])
        for statement in self.statements:
            self.session.execute(statement)
        self.session.commit()
        self.statements, self.finished, self.last_sent, self.rows = [], [], {}, 0

    def finish(self, row: OutboxItem, sent_at: dt.datetime | None = None) -> None:
        """Sent (or dropped): the row goes."""
        self.finished.append(row.id)
        if sent_at is not None:
            self.last_sent[row.subscription_id] = sent_at
        self._count_row()

    def release(self, row: OutboxItem, *, due_at: dt.datetime, attempts: int) -> None:
        """Try again at ``due_at``."""
        self._add(
            update(OutboxItem)
            .where(OutboxItem.id == row.id, OutboxItem.claimed_by == self.token)
            .values(claimed_by=None, claimed_until=None, due_at=due_at, attempts=attempts)
        )

    def release_all(self, rows: list[OutboxItem]) -> None:
        self._add(
            update(OutboxItem)
            .where(OutboxItem.id.in_([row.id for row in rows]), OutboxItem.claimed_by == self.token)
            .values(claimed_by=None, claimed_until=None)
        )

    def forget_subscription(self, subscription_id: int) -> None:
        """The push service says the device is gone: forget it and what was queued for it."""
        self._add(
            delete(OutboxItem).where(OutboxItem.subscription_id == subscription_id),
            delete(PushSubscription).where(PushSubscription.id == subscription_id),
        )
        self.flush()
