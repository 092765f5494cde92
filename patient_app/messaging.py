"""Writing messages, marking them read, closing threads. Views call these; queries read.

Nothing here logs message text or subjects: only opaque ids reach the log.
"""

from __future__ import annotations

import logging
import uuid

from flask import url_for
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from patient_app.access import PlanAccess
from patient_app.extensions import db
from patient_app.models import Message, MessageThread, NotificationKind, Role, ThreadReadMark
from patient_app.notify.outbox import enqueue
from patient_app.models._base import utcnow

log = logging.getLogger(__name__)


def normalise_line_endings(text: str) -> str:
    """Browsers send CR LF for a new line; we keep one character per line break."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _already_sent(author_id: int, key: uuid.UUID) -> Message | None:
    return db.session.scalar(
        select(Message).where(Message.author_id == author_id, Message.idempotency_key == key)
    )


def _store(access: PlanAccess, message: Message, thread: MessageThread) -> Message:
    """Commit once, with its push notifications; a second request with the same key gets the first message back."""
    try:
        db.session.flush()  # the thread's id and public id, for the notification
        enqueue(
            db.session,
            plan_id=access.plan.id,
            kind=NotificationKind.MESSAGE,
            url=url_for("messages.thread", plan_id=access.plan.public_id, thread_id=thread.public_id),
            actor_id=message.author_id,
            hidden_from_guardians=thread.hidden_from_guardians,
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = _already_sent(message.author_id, message.idempotency_key)
        if existing is None:
            raise
        return existing
    log.info("message sent", extra={"thread_id": str(thread.public_id), "message_id": str(message.public_id)})
    return message


def start_thread(access: PlanAccess, subject: str, body: str, key: uuid.UUID) -> Message:
    """A new conversation with its first message; the same key twice gives the first one back."""
    author_id = access.membership.person_id
    existing = _already_sent(author_id, key)
    if existing is not None:
        return existing
    now = utcnow()
    thread = MessageThread(
        plan_id=access.plan.id, subject=subject.strip(), started_by_id=author_id, created_at=now, last_message_at=now
    )
    message = Message(
        thread=thread,
        author_id=author_id,
        author_role=access.role,
        body=normalise_line_endings(body),
        created_at=now,
        idempotency_key=key,
    )
    db.session.add_all([thread, message])
    return _store(access, message, thread)


def reply(access: PlanAccess, thread: MessageThread, body: str, key: uuid.UUID) -> Message:
    author_id = access.membership.person_id
    existing = _already_sent(author_id, key)
    if existing is not None:
        return existing
    now = utcnow()
    message = Message(
        thread_id=thread.id,
        author_id=author_id,
        author_role=access.role,
        body=normalise_line_endings(body),
        created_at=now,
        idempotency_key=key,
    )
    thread.last_message_at = now
    db.session.add(message)
    return _store(access, message, thread)


def mark_read(access: PlanAccess, thread: MessageThread) -> None:
    """Everything in the thread now counts as read for this person.

    When a coordinator opens it, the others' messages get their read receipt.
    """
    me = access.membership.person_id
    newest = db.session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id)) or 0
    mark = db.session.get(ThreadReadMark, (thread.id, me))
    changed = False
    if mark is None:
        db.session.add(ThreadReadMark(thread_id=thread.id, person_id=me, last_read_message_id=newest))
        changed = True
    elif mark.last_read_message_id < newest:
        mark.last_read_message_id = newest
        mark.read_at = utcnow()
        changed = True
    if access.writes_as_coordinator:
        result = db.session.execute(
            update(Message)
            .where(
                Message.thread_id == thread.id,
                Message.coordinator_read_at.is_(None),
                Message.author_role != Role.COORDINATOR,
                Message.id <= newest,
            )
            .values(coordinator_read_at=utcnow())
            .execution_options(synchronize_session="fetch")
        )
        changed = changed or bool(result.rowcount)
    if not changed:
        return
    try:
        db.session.commit()
    except IntegrityError:
        # Two tabs polling at once both created the mark; the other one won, which is fine.
        db.session.rollback()


def close_thread(access: PlanAccess, thread: MessageThread) -> None:
    thread.closed_at = utcnow()
    thread.closed_by_id = access.membership.person_id
    db.session.commit()


def reopen_thread(thread: MessageThread) -> None:
    thread.closed_at = None
    thread.closed_by_id = None
    db.session.commit()


def toggle_hidden_from_guardians(thread: MessageThread) -> bool:
    """Keep a conversation from a child's guardians, or show it to them again; returns whether hidden."""
    thread.hidden_from_guardians = not thread.hidden_from_guardians
    db.session.commit()
    return thread.hidden_from_guardians
