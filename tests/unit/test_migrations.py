"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from patient_app import create_app
from patient_app.cli import upgrade_database
from patient_app.database import Base
from patient_app.extensions import db
from tests.conftest import TEST_CONFIG, _database_url


def test_migrations_match_the_models(tmp_path_factory):
    url, drop = _database_url(tmp_path_factory)  # SQLite, or PostgreSQL with DATABASE_URL_TEST
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade_database()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        db.engine.dispose()
    drop()
    summary = sorted({f"{d[0]} {getattr(d[1], 'name', '')}" if isinstance(d, tuple) else str(d) for d in differences})
    assert differences == [], (
        "The models and the migrations differ. Run `make migration MESSAGE=...` "
        f"(README, 'Changing the schema'): {summary}"
    )
