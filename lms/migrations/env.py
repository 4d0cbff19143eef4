"""Alembic environment for the LMS's own tables: its own version table, and blind to any host app's tables."""

from alembic import context
from flask import current_app

from lms.db import Base, enable_sqlite_wal
from lms.models import import_all

import_all()
VERSION_TABLE = "lms_alembic_version"


def include_object(obj, name, type_, reflected, compare_to):  # noqa: ARG001
    # A host's tables share the database: never create, alter or drop them from here.
    if type_ == "table":
        return name.startswith("lms_")
    return is_for_this_database(obj, context.get_bind().dialect.name)


def is_for_this_database(obj, dialect: str) -> bool:
    """False for an index the models create on another database only (``Index(...).ddl_if(dialect=...)``)."""
    condition = getattr(obj, "_ddl_if", None)
    return condition is None or condition.dialect in (None, dialect)


def run_migrations_online() -> None:
    engine = current_app.extensions["lms"].db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    enable_sqlite_wal(engine)


if context.is_offline_mode():
    raise SystemExit("The LMS migrations run online only: use `flask lms db upgrade`.")
run_migrations_online()
