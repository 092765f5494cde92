"""Alembic environment: the engine comes from the app (see patient_app.cli)."""

from alembic import context

import patient_app.models  # noqa: F401  (registers every table)
from patient_app.database import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
