"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when LMS_TEST_DATABASE_URL is set), the app,
its client and CLI runner, and factories as callables (STYLE rule 9)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lms import create_app
from lms.db import Base
from lms.models import import_all

ROOT = Path(__file__).resolve().parent.parent
COURSES = ROOT / "courses"
DEMO_COURSE = "labor-contract-basics"
SHARED = ROOT.parent / "shared"
BASE_URL = "http://lms.test"


def _database_url(tmp_path_factory) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if url:
        return _worker_database(url, worker)
    return "sqlite:///" + str(tmp_path_factory.mktemp(f"db-{worker}") / "lms-test.sqlite3")


def _worker_database(url: str, worker: str) -> str:
    """With pytest-xdist, each worker gets a PostgreSQL database of its own next to the given one."""
    if worker == "main":
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def test_config(database_url: str, instance_path: Path, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_BASE_URL": BASE_URL,
        "LMS_LOGIN_FAILURE_DELAY": 0,
        "WTF_CSRF_ENABLED": False,
        "LMS_COURSES_PATH": str(COURSES),
        # Argon2id still, with cheap parameters: the suite signs in hundreds of times.
        "LMS_PASSWORD_HASH_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    }
    config.update(extra)
    return config


test_config.__test__ = False  # a helper, not a test, though its name starts with test_


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A database with every LMS migration applied, once per test session."""
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:  # a fresh schema: left-overs of an earlier run must not leak in
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    os.environ.pop("LMS_INSTANCE_PATH", None)
    app = create_app(test_config(url, tmp_path_factory.mktemp("instance-migrate")))
    result = app.test_cli_runner().invoke(args=["lms", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        if os.environ.get("LMS_TEST_CREATE_ALL"):
            # Work in progress only: tables of models that have no migration yet (CI never sets this).
            import_all()
            Base.metadata.create_all(app.extensions["lms"].db.engine)
        app.extensions["lms"].db.engine.dispose()
    return url


def _empty_tables(app) -> None:
    import_all()
    engine = app.extensions["lms"].db.engine
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(test_config(database_url, tmp_path))
    app.instance_path = str(tmp_path)
    yield app
    with app.app_context():
        _empty_tables(app)
        app.extensions["lms"].db.session.remove()
        app.extensions["lms"].db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """The LMS's database handle inside an app context (for direct queries in assertions)."""
    with app.app_context():
        yield app.extensions["lms"].db


@pytest.fixture
def make_user(app):
    """make_user(email=None, password="password-123", roles=("learner",), **profile) -> the user's public id."""
    counter = iter(range(1, 1_000_000))

    def make(email: str | None = None, password: str = "password-123", roles=("learner",), **profile):
        from lms.accounts.services import create_user
        from lms.db import session

        email = email or f"user{next(counter)}@example.org"
        with app.app_context():
            user = create_user(email, password, profile.pop("display_name", None), list(roles), **profile)
            session.commit()
            return UserHandle(user.id, user.public_id, email, password)

    return make


class UserHandle:
    """What a test needs of a user after its app context is gone."""

    def __init__(self, id: int, public_id: str, email: str, password: str) -> None:
        self.id, self.public_id, self.email, self.password = id, public_id, email, password


@pytest.fixture
def login_as(client):
    """login_as(user_handle) signs the test client in through the real sign-in form."""

    def login(user: UserHandle):
        response = client.post("/account/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return login


def demo_curriculum(target: Path) -> Path:
    """A curriculum folder holding only the demo course and one track for it: the flows under test must not
    depend on the rest of courses/ (which has its own check, tests/catalog/test_curriculum.py)."""
    shutil.copytree(COURSES / DEMO_COURSE, target / DEMO_COURSE)
    (target / "tracks.yaml").write_text(
        "tracks:\n  - slug: workers-rights\n"
        "    title: {en: Workers' and Employers' Rights and Duties, zh-Hans: 劳动者和用人单位的权利与义务}\n"
        f"    audience: [worker, employer]\n    courses: [{DEMO_COURSE}]\n    pass_mark: 70\n", encoding="utf-8")
    return target


@pytest.fixture
def curriculum(tmp_path) -> Path:
    """A writable copy of the demo curriculum."""
    return demo_curriculum(tmp_path / "courses")


@pytest.fixture
def synced(app, runner, curriculum):
    """The demo curriculum loaded into the catalog."""
    result = runner.invoke(args=["lms", "courses", "sync", str(curriculum)])
    assert result.exit_code == 0, result.output
    return result


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
