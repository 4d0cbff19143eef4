"""Plugin mode: the LMS mounted in a host Flask app, on the host's database and LoginManager."""

from flask import Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, inspect, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lms import LMS
from tests.conftest import demo_curriculum


def make_host(database_uri: str, tmp_path):
    class HostBase(DeclarativeBase):  # a fresh base per host app, as each test builds its own
        pass

    host_db = SQLAlchemy(model_class=HostBase)

    class Note(host_db.Model):
        __tablename__ = "host_note"
        id: Mapped[int] = mapped_column(primary_key=True)
        body: Mapped[str] = mapped_column(String(100))

    host = Flask("host_app", instance_path=str(tmp_path / "host-instance"))
    host.config.update(SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=database_uri, WTF_CSRF_ENABLED=False,
                       LMS_BASE_URL="http://host.test/learn", LMS_LOGIN_FAILURE_DELAY=0)
    host_db.init_app(host)
    login_manager = LoginManager(host)

    @host.route("/")
    def home():
        return "host home page"

    LMS().init_app(host, url_prefix="/learn")
    return host, host_db, login_manager, Note


def test_lms_mounts_in_a_host_app_on_the_hosts_db_and_login_manager(tmp_path):
    host, host_db, login_manager, Note = make_host(f"sqlite:///{tmp_path / 'host.sqlite3'}", tmp_path)
    assert host.extensions["lms"].db is host_db
    assert host.extensions["lms"].login_manager is login_manager
    assert "migrate" not in host.extensions  # no second Flask-Migrate on a host


def test_lms_db_upgrade_creates_only_lms_tables_and_leaves_the_hosts_alone(tmp_path):
    host, host_db, _, Note = make_host(f"sqlite:///{tmp_path / 'host.sqlite3'}", tmp_path)
    with host.app_context():
        host_db.create_all()
        host_db.session.add(Note(body="kept"))
        host_db.session.commit()
    result = host.test_cli_runner().invoke(args=["lms", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    with host.app_context():
        tables = set(inspect(host_db.engine).get_table_names())
        assert "host_note" in tables and "lms_alembic_version" in tables and "lms_user" in tables
        assert "alembic_version" not in tables
        assert {t for t in tables if t != "host_note"} == {t for t in tables if t.startswith("lms_")}
        assert host_db.session.execute(text("SELECT body FROM host_note")).scalar_one() == "kept"
        host_db.engine.dispose()


def test_host_page_and_lms_pages_work_in_one_process(tmp_path):
    host, host_db, _, _ = make_host(f"sqlite:///{tmp_path / 'host.sqlite3'}", tmp_path)
    runner = host.test_cli_runner()
    assert runner.invoke(args=["lms", "db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["lms", "courses", "sync", str(demo_curriculum(tmp_path / "courses"))]).exit_code == 0
    assert runner.invoke(args=["lms", "users", "create", "--email", "w@example.org",
                               "--password", "password-123"]).exit_code == 0
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "host home page"
    catalog = client.get("/learn/")
    assert catalog.status_code == 200 and "/learn/courses/labor-contract-basics" in catalog.get_data(as_text=True)
    assert "/learn/lms-static/lms.css" in catalog.get_data(as_text=True)
    assert client.get("/learn/my-learning").headers["Location"].startswith("/learn/account/login")
    signed_in = client.post("/learn/account/login", data={"email": "w@example.org", "password": "password-123"})
    assert signed_in.headers["Location"] == "/learn/my-learning"
    enrolled = client.post("/learn/courses/labor-contract-basics/enroll")
    assert enrolled.headers["Location"].startswith("/learn/courses/labor-contract-basics/lesson/")
    lesson = client.get(enrolled.headers["Location"])
    assert lesson.status_code == 200
    with host.app_context():
        iri = host_db.session.execute(text("SELECT object_activity_id FROM lms_statement "
                                           "WHERE verb_id LIKE '%experienced'")).scalar_one()
        assert iri.startswith("http://host.test/learn/xapi/activities/course/labor-contract-basics/lesson/")
        host_db.engine.dispose()
