"""Fill a database with many synthetic plans, fast, for the scale benchmark.

    .venv/bin/python bench/seed_large.py DATABASE_URL --plans 100000 [--messages-per-plan 10] [--fresh]

Creates the schema and the demo people and plans first when they are missing
(``--fresh`` drops every table first), then adds ``--plans`` synthetic plans,
each like a real one: its owner, a coordinator (one per 40 plans, as in a
municipality), three participants, three goals, three measures, two service
decisions, two meetings (one past, one coming) with invitees, a crisis plan with
two contacts, a consent, and two message threads sharing ``--messages-per-plan``
messages. 100,000 plans make about a million messages and 3.7 million rows.

On PostgreSQL the rows go in with COPY (psycopg), in batches of whole plans, in
foreign-key order; elsewhere with executemany. Values pass through the models'
own column types (enums, UTC datetimes, UUIDs) and defaults, so the rows are
what the app would have written. Ends with ANALYZE, so the planner knows.

Prints the time it took; on this kind of machine 100,000 plans take a few minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Texts a coordinator might write; the numbers make each plan a little different.
GOALS = ["Bo i egen leilighet", "Komme i arbeid eller aktivitet", "Sove bedre", "Ha kontakt med venner", "Klare økonomien selv"]
MEASURES = ["Miljøterapeut to timer i uken", "Arbeidstrening hos NAV", "Samtaler med psykolog", "Støttekontakt", "Hjemmesykepleie"]
SERVICES = ["Praktisk bistand", "Brukerstyrt personlig assistanse", "Avlastning", "Støttekontakt"]
MESSAGES = [
    "Hei! Kan vi flytte møtet til neste uke?",
    "Takk for sist. Jeg har sendt søknaden.",
    "Jeg lurer på når vedtaket kommer.",
    "Det går bedre nå. Jeg sover litt bedre.",
    "Kan du ringe meg i morgen formiddag?",
]


def pid_hash(label: str) -> str:
    """A unique stand-in for the keyed hash of an identity number (no real numbers here)."""
    return hashlib.sha256(f"min-plan-bench:{label}".encode()).hexdigest()


class BulkWriter:
    """Rows per table, with the model's defaults and column types applied, written in batches."""

    def __init__(self, engine, metadata):
        self.engine = engine
        self.dialect = engine.dialect
        self.metadata = metadata
        self.buffers: dict[str, list[tuple]] = {}
        self.columns: dict[str, list] = {}
        self.next_ids: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.copy = engine.dialect.name == "postgresql"
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    highest = connection.exec_driver_sql(f"SELECT max(id) FROM {table.name}").scalar()
                    self.next_ids[table.name] = (highest or 0) + 1

    def next_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def _prepared(self, name: str):
        if name not in self.columns:
            prepared = []
            for column in self.metadata.tables[name].c:
                default = column.default
                if default is None:
                    make = None
                elif default.is_scalar:
                    make = (lambda value: lambda: value)(default.arg)
                elif default.is_callable:
                    make = (lambda function: lambda: function(None))(default.arg)
                else:
                    make = None
                processor = column.type.dialect_impl(self.dialect).bind_processor(self.dialect)
                prepared.append((column.name, make, processor))
            self.columns[name] = prepared
            self.buffers[name] = []
        return self.columns[name]

    def add(self, table: str, /, **values) -> int | None:
        row = []
        for column, make, processor in self._prepared(table):
            if column in values:
                value = values[column]
            elif make is not None:
                value = make()
            else:
                value = None
            row.append(processor(value) if processor and value is not None else value)
        self.buffers[table].append(tuple(row))
        return values.get("id")

    def flush(self) -> None:
        with self.engine.begin() as connection:
            for table in self.metadata.sorted_tables:
                rows = self.buffers.get(table.name)
                if not rows:
                    continue
                names = [column for column, _make, _processor in self.columns[table.name]]
                if self.copy:
                    cursor = connection.connection.driver_connection.cursor()
                    quoted = ", ".join(f'"{name}"' for name in names)
                    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    placeholders = ", ".join("?" for _ in names)
                    connection.exec_driver_sql(
                        f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({placeholders})', rows
                    )
                self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
                rows.clear()

    def finish(self) -> None:
        self.flush()
        if self.copy:
            with self.engine.begin() as connection:
                for name in self.next_ids:
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f"GREATEST((SELECT max(id) FROM \"{name}\"), 1))"
                    )
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
        else:
            with self.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")


def add_plan(writer: BulkWriter, n: int, coordinator_id: int, now: dt.datetime, rng: random.Random,
             messages_per_plan: int) -> None:
    from patient_app.models import DecisionStatus, GoalStatus, Role

    today = now.date()
    owner = writer.add("person", id=writer.next_id("person"), name=f"Pasient {n}", pid_hash=pid_hash(f"owner-{n}"),
                       birth_date=dt.date(1950 + n % 60, 1 + n % 12, 1 + n % 28), preferred_locale="nb")
    plan = writer.add("plan", id=writer.next_id("plan"), owner_id=owner, strengths="Liker å gå tur og lage mat.",
                      needs="Hjelp med økonomi og søknader.", period_start=today - dt.timedelta(days=200 + n % 100),
                      period_end=today + dt.timedelta(days=300), next_review=today + dt.timedelta(days=30 + n % 60),
                      updated_at=now - dt.timedelta(days=n % 90))
    writer.add("membership", id=writer.next_id("membership"), plan_id=plan, person_id=owner, role=Role.OWNER,
               created_at=now)
    writer.add("membership", id=writer.next_id("membership"), plan_id=plan, person_id=coordinator_id,
               role=Role.COORDINATOR, created_at=now)
    participants = []
    for position, (name, title, person, is_coordinator) in enumerate([
        (f"Koordinator {coordinator_id}", "Koordinator", coordinator_id, True),
        (f"Fastlege {n}", "Fastlege", None, False),
        (f"Miljøterapeut {n}", "Miljøterapeut", None, False),
    ]):
        participants.append(writer.add(
            "participant", id=writer.next_id("participant"), plan_id=plan, person_id=person, name=name,
            role_title=title, organisation="Kommunen", phone="+47 22 00 00 00", show_phone=True,
            is_coordinator=is_coordinator, position=position,
        ))
    goals = []
    for position in range(3):
        goals.append(writer.add("goal", id=writer.next_id("goal"), plan_id=plan, title=GOALS[(n + position) % len(GOALS)],
                                description="Slik vil jeg ha det.", status=list(GoalStatus)[(n + position) % 3],
                                position=position))
    for position in range(3):
        writer.add("measure", id=writer.next_id("measure"), plan_id=plan, goal_id=goals[position],
                   title=MEASURES[(n + position) % len(MEASURES)], extent="2 timer i uken",
                   responsible_id=participants[1 + position % 2], start_date=today - dt.timedelta(days=60),
                   end_date=today + dt.timedelta(days=120 + position))
    for position in range(2):
        writer.add("service_decision", id=writer.next_id("service_decision"), plan_id=plan,
                   service=SERVICES[(n + position) % len(SERVICES)], decided_by="Tildelingskontoret",
                   status=list(DecisionStatus)[position], decided_on=today - dt.timedelta(days=90),
                   valid_from=today - dt.timedelta(days=80), valid_to=today + dt.timedelta(days=280))
    for offset in (-30 - n % 20, 7 + n % 30):
        starts = (now + dt.timedelta(days=offset)).replace(minute=0, second=0, microsecond=0)
        meeting = writer.add("meeting", id=writer.next_id("meeting"), plan_id=plan, title="Møte i ansvarsgruppen",
                             starts_at=starts, ends_at=starts + dt.timedelta(hours=1), location="Rådhuset")
        for participant in participants[:2]:
            writer.add("meeting_invitee", meeting_id=meeting, participant_id=participant)
    crisis = writer.add("crisis_plan", id=writer.next_id("crisis_plan"), plan_id=plan,
                        warning_signs="Sover lite, trekker meg unna.", what_i_can_do="Gå tur, ringe en venn.")
    for position in range(2):
        writer.add("crisis_contact", id=writer.next_id("crisis_contact"), crisis_plan_id=crisis, position=position,
                   name=f"Kontakt {position}", phone="+47 99 99 99 99")
    writer.add("consent", id=writer.next_id("consent"), plan_id=plan, kind="plan", text="Jeg samtykker til planen.",
               given_at=now - dt.timedelta(days=200))
    threads = 2 if messages_per_plan >= 2 else messages_per_plan
    for thread_number in range(threads):
        count = messages_per_plan // threads + (1 if thread_number < messages_per_plan % threads else 0)
        started = now - dt.timedelta(days=rng.randint(1, 365), minutes=rng.randint(0, 1440))
        thread = writer.add("message_thread", id=writer.next_id("message_thread"), plan_id=plan,
                            subject=f"Spørsmål {thread_number + 1}", started_by_id=owner, created_at=started,
                            last_message_at=started + dt.timedelta(hours=count))
        for number in range(count):
            from_owner = number % 2 == 0
            writer.add("message", id=writer.next_id("message"), thread_id=thread,
                       author_id=owner if from_owner else coordinator_id,
                       author_role=Role.OWNER if from_owner else Role.COORDINATOR,
                       body=MESSAGES[(n + number) % len(MESSAGES)], created_at=started + dt.timedelta(hours=number),
                       idempotency_key=uuid.uuid4(),
                       coordinator_read_at=started + dt.timedelta(hours=number + 1) if from_owner else None)


def seed(url: str, plans: int, messages_per_plan: int = 10, fresh: bool = False, batch: int = 2000,
         quiet: bool = False) -> dict:
    from sqlalchemy import create_engine, func, select

    from patient_app import create_app
    from patient_app.database import Base
    from patient_app.demo.seed import seed_demo
    from patient_app.extensions import db
    from patient_app.models import Plan
    from tests.conftest import TEST_CONFIG

    started = time.monotonic()
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if fresh:
            Base.metadata.drop_all(db.engine)
        # The schema from the models, as the tests do (tests/unit/test_migrations.py compares the two).
        Base.metadata.create_all(db.engine)
        seed_demo()
        db.session.close()
        db.engine.dispose()
    engine = create_engine(url)
    writer = BulkWriter(engine, Base.metadata)
    rng = random.Random(7)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    per_coordinator = 40
    first = writer.next_ids["person"]
    coordinator_id = None
    for n in range(plans):
        if n % per_coordinator == 0:
            coordinator_id = writer.add("person", id=writer.next_id("person"), name=f"Koordinator {first + n}",
                                        pid_hash=pid_hash(f"coordinator-{first}-{n}"), preferred_locale="nb")
        add_plan(writer, first + n, coordinator_id, now, rng, messages_per_plan)
        if (n + 1) % batch == 0:
            writer.flush()
            if not quiet:
                rate = (n + 1) / (time.monotonic() - started)
                print(f"  {n + 1:>7} plans  ({rate:,.0f} plans/s)", flush=True)
    writer.finish()
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(Plan.__table__)).scalar()
        messages = connection.exec_driver_sql("SELECT count(*) FROM message").scalar()
    engine.dispose()
    seconds = time.monotonic() - started
    result = {"plans": total, "messages": messages, "rows": sum(writer.counts.values()), "seconds": round(seconds, 1)}
    if not quiet:
        print(f"Seeded {result['rows']:,} rows: {total:,} plans, {messages:,} messages in the database, {seconds:.0f} s.")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/min_plan_bench")
    parser.add_argument("--plans", type=int, default=100_000)
    parser.add_argument("--messages-per-plan", type=int, default=10)
    parser.add_argument("--fresh", action="store_true", help="drop every table first")
    parser.add_argument("--batch", type=int, default=2000, help="plans per COPY batch")
    arguments = parser.parse_args()
    import logging

    logging.disable(logging.WARNING)
    os.environ.setdefault("MIN_PLAN_ENV", "testing")
    seed(arguments.database_url, arguments.plans, arguments.messages_per_plan, arguments.fresh, arguments.batch)


if __name__ == "__main__":
    main()
