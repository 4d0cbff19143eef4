"""The standalone app: thin create_app, configuration, migrations that match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from lms import create_app
from lms.db import Base
from lms.models import import_all
from tests.conftest import test_config


def test_create_app_creates_no_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app(test_config(url, tmp_path))
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        assert inspect(engine).get_table_names() == []
        engine.dispose()


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "instance" / "secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) == 64 and oct(key_file.stat().st_mode)[-3:] == "600"


def test_configuration_comes_from_lms_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    monkeypatch.setenv("LMS_BASE_URL", "https://lms.example.gov")
    monkeypatch.setenv("LMS_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite3")
    assert app.config["LMS_BASE_URL"] == "https://lms.example.gov"
    assert app.secret_key == "from-the-environment"


def test_the_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"


def test_migrations_create_exactly_the_models(app):
    import_all()
    with app.app_context():
        with app.extensions["lms"].db.engine.connect() as connection:
            dialect = connection.dialect.name

            def include(obj, name, type_, *rest):
                condition = getattr(obj, "_ddl_if", None)  # indexes the models create on one database only
                if condition is not None and condition.dialect not in (None, dialect):
                    return False
                return (type_ != "table" or name.startswith("lms_")) and name != "lms_alembic_version"

            context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": include})
            assert compare_metadata(context, Base.metadata) == []


def test_flask_db_upgrade_uses_the_lms_version_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    app = create_app(test_config(url, tmp_path))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(inspect(app.extensions["lms"].db.engine).get_table_names())
        app.extensions["lms"].db.engine.dispose()
    assert "lms_alembic_version" in tables and "alembic_version" not in tables
