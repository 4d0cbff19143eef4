"""cmi5 10.0: content reads LMS.LaunchData; only the LMS writes it."""

import json
import uuid

from lms.xapi.credentials import basic_auth_header, create_launch_credential

ACTIVITY = "http://example.org/au/1"


def _address(public_id: str, registration: str) -> str:
    agent = json.dumps({"objectType": "Agent", "account": {"homePage": "http://lms.test", "name": public_id}})
    return f"/xapi/activities/state?activityId={ACTIVITY}&agent={agent}&registration={registration}&stateId=LMS.LaunchData"


def test_a_launch_credential_cannot_write_launch_data(app, client, make_user):
    learner = make_user()
    registration = str(uuid.uuid4())
    with app.app_context():
        from lms.db import session

        credential, secret = create_launch_credential(learner.id, registration)
        session.commit()
        headers = {"Authorization": basic_auth_header(credential.key, secret), "X-Experience-API-Version": "1.0.3",
                   "Content-Type": "application/json"}
    response = client.put(_address(learner.public_id, registration), data="{}", headers=headers)
    assert response.status_code == 403 and "LMS.LaunchData" in response.json["error"]["message"]
    assert client.get(_address(learner.public_id, registration), headers=headers).status_code == 404
