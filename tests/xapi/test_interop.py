"""Interoperability: the independent ``tincan`` client (Rustici's TinCanPython) against the LMS as a real server.

The LMS runs under gunicorn on a loopback port (tests/live_lms.py); the client knows nothing of this project.
"""

import uuid

import pytest

tincan = pytest.importorskip("tincan", reason="the tincan package is a test dependency (pip install -e '.[test]')")
from tincan import (  # noqa: E402
    Activity,
    ActivityDefinition,
    Agent,
    AgentAccount,
    LanguageMap,
    RemoteLRS,
    Result,
    Score,
    Statement,
    StateDocument,
    Verb,
)

from tests.live_lms import LiveLMS  # noqa: E402

ACTIVITY = "http://lms.example.gov.cn/xapi/activities/course/labor-inspection"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveLMS(tmp_path_factory.mktemp("interop-lms"))
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def lrs(server):
    return RemoteLRS(version="1.0.3", endpoint=server.url, username=server.key, password=server.secret)


def _learner() -> Agent:
    return Agent(name="王芳", account=AgentAccount(home_page="https://lms.example.gov.cn", name=str(uuid.uuid4())))


def _statement(actor: Agent, verb: str = "completed", scaled: float | None = None) -> Statement:
    statement = Statement(
        actor=actor,
        verb=Verb(id=f"http://adlnet.gov/expapi/verbs/{verb}", display=LanguageMap({"en-US": verb})),
        object=Activity(id=ACTIVITY, definition=ActivityDefinition(
            name=LanguageMap({"en-US": "Labor inspection in practice", "zh-CN": "劳动保障监察实务"}))),
    )
    if scaled is not None:
        statement.result = Result(score=Score(scaled=scaled), success=scaled >= 0.8)
    return statement


def test_about_reports_the_versions(lrs):
    response = lrs.about()
    assert response.success and "1.0.3" in [str(v) for v in response.content.version]


def test_a_saved_statement_is_retrieved_with_what_was_sent(lrs):
    saved = lrs.save_statement(_statement(_learner(), "passed", 0.9))
    assert saved.success, saved.data
    fetched = lrs.retrieve_statement(saved.content.id)
    assert fetched.success
    assert str(fetched.content.id) == str(saved.content.id)
    assert fetched.content.result.score.scaled == 0.9 and fetched.content.actor.name == "王芳"


def test_a_batch_is_saved_and_queried_by_agent_and_verb(lrs):
    learner = _learner()
    saved = lrs.save_statements([_statement(learner, "attempted"), _statement(learner, "completed")])
    assert saved.success, saved.data
    found = lrs.query_statements({"agent": learner, "verb": Verb(id="http://adlnet.gov/expapi/verbs/completed")})
    assert found.success
    assert [s.verb.id for s in found.content.statements] == ["http://adlnet.gov/expapi/verbs/completed"]


def test_paging_with_more_returns_every_statement_once(lrs):
    learner = _learner()
    assert lrs.save_statements([_statement(learner, "experienced") for _ in range(5)]).success
    page = lrs.query_statements({"agent": learner, "limit": 2})
    ids = [str(s.id) for s in page.content.statements]
    while page.content.more:
        page = lrs.more_statements(page.content)
        assert page.success
        ids += [str(s.id) for s in page.content.statements]
    assert len(ids) == 5 == len(set(ids))


def test_state_documents_are_saved_and_retrieved(lrs):
    learner = _learner()
    document = StateDocument(id="bookmark", agent=learner, activity=Activity(id=ACTIVITY),
                             content='{"page": 4}', content_type="application/json")
    assert lrs.save_state(document).success
    retrieved = lrs.retrieve_state(activity=Activity(id=ACTIVITY), agent=learner, state_id="bookmark")
    assert retrieved.success and retrieved.content.content == b'{"page": 4}'
    ids = lrs.retrieve_state_ids(activity=Activity(id=ACTIVITY), agent=learner)
    assert ids.success and list(ids.content) == ["bookmark"]


def test_activity_and_agent_profiles_round_trip(lrs):
    from tincan import ActivityProfileDocument, AgentProfileDocument

    activity_profile = ActivityProfileDocument(id="syllabus", activity=Activity(id=ACTIVITY),
                                               content="week 1", content_type="text/plain")
    assert lrs.save_activity_profile(activity_profile).success
    assert lrs.retrieve_activity_profile(Activity(id=ACTIVITY), "syllabus").content.content == b"week 1"
    learner = _learner()
    agent_profile = AgentProfileDocument(id="preferences", agent=learner, content='{"language": "zh-CN"}',
                                         content_type="application/json")
    assert lrs.save_agent_profile(agent_profile).success
    assert lrs.retrieve_agent_profile(learner, "preferences").content.content == b'{"language": "zh-CN"}'
