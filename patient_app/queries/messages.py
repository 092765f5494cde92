"""Conversations and what is unread."""

from __future__ import annotations

import uuid

from flask import g
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from patient_app.access import Part, PlanAccess, visible_to
from patient_app.extensions import db
from patient_app.queries._statements import _built_once, _of_plan


# --- Messages ----------------------------------------------------------------
# A person without the messages part gets None, never a count: a relative whose
# grant lacks messages must not learn that messages exist.


def _unread_by_thread(access: PlanAccess):
    """(thread id, unread count) rows for the person, who is ``me``."""
    statement = _built_once("unread by thread", access, _unread_by_thread_query)
    return db.session.execute(statement, {"plan_id": access.plan.id, "me": access.membership.person_id})


def unread_messages(group_by, me):
    """(group, count) of the messages from others that ``me`` has not read, per ``group_by``
    (a thread, or a plan); one definition of "unread" for the plan pages and the coordinator's list."""
    from sqlalchemy import and_, func, or_

    from patient_app.models import Message, MessageThread, ThreadReadMark

    return (
        select(group_by, func.count(Message.id))
        .join(MessageThread, Message.thread_id == MessageThread.id)
        .outerjoin(
            ThreadReadMark,
            and_(ThreadReadMark.thread_id == Message.thread_id, ThreadReadMark.person_id == me),
        )
        .where(Message.author_id != me)
        .where(or_(ThreadReadMark.last_read_message_id.is_(None), Message.id > ThreadReadMark.last_read_message_id))
        .group_by(group_by)
    )


def _unread_by_thread_query(access: PlanAccess):
    from patient_app.models import Message, MessageThread

    return unread_messages(Message.thread_id, bindparam("me")).where(
        MessageThread.plan_id == bindparam("plan_id"), *visible_to(access, MessageThread)
    )


def unread_message_count(access: PlanAccess | None) -> int | None:
    """Messages from others this person has not opened yet, or None without the messages part."""
    if access is None or not access.may_view(Part.MESSAGES):
        return None
    # The overview and the navigation badge both ask during one request: counted once.
    key = (access.plan.id, access.membership.person_id)
    counted = g.setdefault("unread_message_counts", {})
    if key not in counted:
        counted[key] = sum(count for _thread, count in _unread_by_thread(access))
    return counted[key]


def message_threads(access: PlanAccess) -> list[tuple]:
    """(thread, unread count) pairs: unread first, then the latest conversation first."""
    from patient_app.models import MessageThread

    if not access.may_view(Part.MESSAGES):
        return []
    unread = dict(_unread_by_thread(access).all())
    statement = _built_once("threads", access, lambda access: _of_plan(MessageThread, access).order_by(
        MessageThread.last_message_at.desc(), MessageThread.id.desc()
    ))
    threads = db.session.scalars(statement, {"plan_id": access.plan.id}).all()
    pairs = [(thread, unread.get(thread.id, 0)) for thread in threads]
    return sorted(pairs, key=lambda pair: (pair[1] == 0, pair[0].is_closed))


def message_thread(access: PlanAccess, thread_id: uuid.UUID):
    """One thread with its messages and their authors, or None (also when not visible to this person)."""
    from patient_app.models import Message, MessageThread

    if not access.may_view(Part.MESSAGES):
        return None
    statement = _built_once("thread", access, lambda access: (
        _of_plan(MessageThread, access)
        .where(MessageThread.public_id == bindparam("thread_id"))
        .options(selectinload(MessageThread.messages).joinedload(Message.author))
    ))
    return db.session.scalars(statement, {"plan_id": access.plan.id, "thread_id": thread_id}).first()
