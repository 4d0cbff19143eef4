"""Signed statements: a JWS of the statement as a signature attachment (xAPI 1.0.3 Data 2.6; ADL's Data 2.6
tests). Real signatures, made with PyJWT and a freshly generated RSA key, with and without an x5c certificate."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.xapi.test_statements_attachments import BOUNDARY, multipart, part, read_multipart, send, sha256
from tests.xapi.test_statements_samples import ADL, fetch, make_statement, new_id

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


@lru_cache(maxsize=None)
def private_key(name: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@lru_cache(maxsize=None)
def certificate(name: str) -> str:
    """A self-signed X.509 certificate for ``private_key(name)``, base64 DER as x5c wants it."""
    key = private_key(name)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Labor Rights LMS test {name}")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def jws(payload: bytes, algorithm: str = "RS256", key=None, x5c: str | None = None) -> bytes:
    """A JWS in compact serialization."""
    headers = {"x5c": [x5c]} if x5c else None
    token = jwt.api_jws.PyJWS().encode(payload, key if key is not None else private_key("signer"), algorithm=algorithm,
                                       headers=headers)
    return token.encode() if isinstance(token, str) else token


def signed_body(statement: dict, signature: bytes, content_type: str = "application/octet-stream") -> bytes:
    """``statement`` with the signature attachment added, as a multipart/mixed body with the JWS part."""
    statement = dict(statement, attachments=[*statement.get("attachments", []), {
        "usageType": SIGNATURE, "display": {"en-US": "Signed by the LMS"}, "contentType": content_type,
        "length": len(signature), "sha2": sha256(signature)}])
    return multipart(statement, part(signature, content_type))


def statement_to_sign() -> dict:
    return make_statement(id=new_id(), verb={"id": ADL + "passed", "display": {"en-US": "passed"}},
                          result={"success": True, "score": {"scaled": 0.9}})


def serialised(statement: dict) -> bytes:
    return json.dumps(statement, ensure_ascii=False).encode("utf-8")


# --- accepted ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_a_statement_signed_with_an_rsa_algorithm_is_accepted(lrs, algorithm):
    statement = statement_to_sign()
    response = send(lrs, signed_body(statement, jws(serialised(statement), algorithm)))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == [statement["id"]]


def test_a_statement_signed_with_an_x5c_certificate_is_accepted(lrs):
    statement = statement_to_sign()
    signature = jws(serialised(statement), x5c=certificate("signer"))
    response = send(lrs, signed_body(statement, signature))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_the_signature_is_kept_and_returned_with_the_statement(lrs):
    statement = statement_to_sign()
    signature = jws(serialised(statement), x5c=certificate("signer"))
    send(lrs, signed_body(statement, signature))
    stored = fetch(lrs, statement["id"])
    assert stored["attachments"][0]["usageType"] == SIGNATURE
    _, raw = read_multipart(lrs.get("/statements", query_string={"statementId": statement["id"],
                                                                  "attachments": "true"}))
    assert raw.get_payload(decode=True) == signature
    assert jwt.api_jws.PyJWS().decode(signature, private_key("signer").public_key(), algorithms=["RS256"]) == \
        serialised(statement)


def test_a_payload_serialised_with_other_key_order_and_spacing_is_logically_the_same(lrs):
    statement = statement_to_sign()
    payload = json.dumps(dict(reversed(list(statement.items()))), indent=2, sort_keys=False).encode()
    assert send(lrs, signed_body(statement, jws(payload))).status_code == 200


def test_a_payload_without_the_properties_the_lrs_sets_matches(lrs):
    statement = statement_to_sign()
    payload = {key: value for key, value in statement.items() if key not in ("id", "timestamp")}
    assert send(lrs, signed_body(statement, jws(serialised(payload)))).status_code == 200


def test_a_signed_statement_in_a_batch_with_an_unsigned_one_is_accepted(lrs):
    signed, plain = statement_to_sign(), make_statement(id=new_id())
    signature = jws(serialised(signed))
    signed_with_attachment = dict(signed, attachments=[{
        "usageType": SIGNATURE, "display": {"en-US": "Signature"}, "contentType": "application/octet-stream",
        "length": len(signature), "sha2": sha256(signature)}])
    body = multipart([signed_with_attachment, plain], part(signature, "application/octet-stream"))
    assert send(lrs, body).status_code == 200


# --- refused -------------------------------------------------------------------------------------------------

def refused(lrs, statement: dict, body: bytes) -> None:
    response = send(lrs, body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["error"]["message"]
    assert lrs.get("/statements", query_string={"statementId": statement["id"]}).status_code == 404


def test_a_signature_whose_payload_differs_from_the_statement_is_refused(lrs):
    statement = statement_to_sign()
    tampered = dict(statement, result={"success": True, "score": {"scaled": 1.0}})
    refused(lrs, tampered, signed_body(tampered, jws(serialised(statement))))


def test_a_signature_of_another_verb_is_refused(lrs):
    statement = statement_to_sign()
    other = dict(statement, verb={"id": ADL + "failed"})
    refused(lrs, statement, signed_body(statement, jws(serialised(other))))


def test_a_signature_whose_payload_is_not_json_is_refused(lrs):
    statement = statement_to_sign()
    broken = serialised(statement).replace(b'"', b"'", 1)
    refused(lrs, statement, signed_body(statement, jws(broken)))


def test_a_signature_with_the_hs256_algorithm_is_refused(lrs):
    statement = statement_to_sign()
    signature = jws(serialised(statement), "HS256", key=b"a shared secret that is long enough for hs256!!")
    refused(lrs, statement, signed_body(statement, signature))


def test_an_unsigned_jws_with_algorithm_none_is_refused(lrs):
    statement = statement_to_sign()
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=")
    payload = base64.urlsafe_b64encode(serialised(statement)).rstrip(b"=")
    refused(lrs, statement, signed_body(statement, header + b"." + payload + b"."))


@pytest.mark.parametrize("signature", [b"not a jws", b"a.b.c", b"\xff\xfe\x00binary", b""])
def test_a_malformed_jws_is_refused(lrs, signature):
    statement = statement_to_sign()
    refused(lrs, statement, signed_body(statement, signature))


def test_a_signature_attachment_with_another_content_type_is_refused(lrs):
    statement = statement_to_sign()
    signature = jws(serialised(statement))
    refused(lrs, statement, signed_body(statement, signature, content_type="text/plain; charset=ascii"))


def test_a_signature_that_does_not_verify_against_its_x5c_certificate_is_refused(lrs):
    statement = statement_to_sign()
    signature = jws(serialised(statement), key=private_key("impostor"), x5c=certificate("signer"))
    refused(lrs, statement, signed_body(statement, signature))


def test_an_x5c_that_is_not_a_certificate_is_refused(lrs):
    statement = statement_to_sign()
    signature = jws(serialised(statement), x5c=base64.b64encode(b"not a certificate").decode())
    refused(lrs, statement, signed_body(statement, signature))


def test_a_signature_attachment_without_its_data_is_refused(lrs):
    statement = statement_to_sign()
    signature = jws(serialised(statement))
    body = signed_body(statement, signature)
    without_part = body.split(f"\r\n--{BOUNDARY}\r\n".encode())[0] + f"\r\n--{BOUNDARY}--\r\n".encode()
    refused(lrs, statement, without_part)
