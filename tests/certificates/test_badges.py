"""Open Badges 3.0: the credential, its VC-JWT form checked by an independent JOSE library, the issuer's keys."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.certificates.conftest import TRACK

# RFC 9864 prefers the new "Ed25519" name; "EdDSA" is what PyJWT and today's verifiers know (see badges.py).
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")


def _verified_payload(client, token: str) -> dict:
    keys = KeySet.import_key_set(client.get("/certificates/jwks.json").get_json())
    return json.loads(jws.deserialize_compact(token, keys, algorithms=["EdDSA"]).payload)


def test_the_vc_jwt_verifies_with_the_published_jwks(client, earned):
    _learner, serial = earned(display_name="Li Na")
    token = client.get(f"/certificates/{serial}/badge.jwt").get_data(as_text=True)
    credential = _verified_payload(client, token)
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "Li Na"


def test_a_tampered_vc_jwt_fails_verification(client, earned):
    _learner, serial = earned(display_name="Li Na")
    header, payload, signature = client.get(f"/certificates/{serial}/badge.jwt").get_data(as_text=True).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        _verified_payload(client, f"{header}.{forged}.{signature}")


def test_the_vc_jwt_header_names_the_key_and_the_media_type(client, earned):
    _learner, serial = earned()
    token = client.get(f"/certificates/{serial}/badge.jwt").get_data(as_text=True)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    kid = client.get("/certificates/jwks.json").get_json()["keys"][0]["kid"]
    assert header == {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": kid}


def test_the_credential_is_an_open_badge_3_credential(client, earned):
    _learner, serial = earned()
    credential = client.get(f"/certificates/{serial}/badge.json").get_json()
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == "http://lms.test/certificates/issuer"
    assert credential["issuer"]["type"] == ["Profile"]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "Labor Inspector Certification"
    assert achievement["id"] == f"http://lms.test/tracks/{TRACK}"
    assert "80%" in achievement["criteria"]["narrative"] and achievement["description"]
    assert credential["id"].startswith("urn:uuid:")


def test_an_expiring_track_gives_valid_from_and_valid_until(client, earned):
    _learner, serial = earned()
    credential = client.get(f"/certificates/{serial}/badge.json").get_json()
    valid_from, valid_until = credential["validFrom"], credential["validUntil"]
    assert valid_from.endswith("Z") and int(valid_until[:4]) == int(valid_from[:4]) + 2  # 24 months


def test_the_credential_status_answers_whether_it_was_revoked(client, earned, make_user, login_as):
    _learner, serial = earned()
    credential = client.get(f"/certificates/{serial}/badge.json").get_json()
    status_path = credential["credentialStatus"]["id"].removeprefix("http://lms.test")
    assert credential["credentialStatus"]["type"] == "1EdTechRevocationList"
    assert client.get(status_path).get_json()["revokedCredentials"] == []
    login_as(make_user(roles=("admin",)))
    client.post(f"/admin/certificates/{serial}/revoke", data={"reason": "Exam fraud"})
    revoked = client.get(status_path).get_json()["revokedCredentials"]
    assert revoked == [{"id": credential["id"], "revoked": True, "revocationReason": "Exam fraud"}]


def test_the_issuer_profile_points_to_the_jwks_key(client):
    profile = client.get("/certificates/issuer").get_json()
    jwk = client.get("/certificates/jwks.json").get_json()["keys"][0]
    assert profile["id"] == "http://lms.test/certificates/issuer" and profile["type"] == ["Profile"]
    method = profile["verificationMethod"][0]
    assert method["id"] == f"http://lms.test/certificates/jwks.json#{jwk['kid']}"
    assert method["publicKeyJwk"]["x"] == jwk["x"]


def test_the_issuer_name_comes_from_the_config(app, client):
    app.config["LMS_ISSUER_NAME"] = "Ministry Training Centre"
    assert client.get("/certificates/issuer").get_json()["name"] == "Ministry Training Centre"


def test_the_jwks_has_only_the_public_key(client):
    key = client.get("/certificates/jwks.json").get_json()["keys"][0]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key


def test_the_signing_key_is_created_once_in_the_instance_folder_readable_only_by_its_owner(app, client):
    first = client.get("/certificates/jwks.json").get_json()
    path = Path(app.instance_path) / "certificate_signing_key.pem"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert client.get("/certificates/jwks.json").get_json() == first


def test_the_signing_key_survives_a_restart(app, database_url):
    from lms import create_app
    from tests.conftest import test_config

    with app.test_client() as client:
        before = client.get("/certificates/jwks.json").get_json()
    restarted = create_app(test_config(database_url, Path(app.instance_path)))
    restarted.instance_path = app.instance_path
    assert restarted.test_client().get("/certificates/jwks.json").get_json() == before
