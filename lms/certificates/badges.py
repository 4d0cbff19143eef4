"""Certificates as Open Badges 3.0 credentials, signed with the LMS's own Ed25519 key.

The signed form, one of the VC-JWT variants: **VC-JWT in the VC-JOSE-COSE style of the
W3C VC Data Model 2.0**. The JWS payload *is* the credential (an ``OpenBadgeCredential`` with the v2 and OB 3.0.3
contexts), not a ``{"vc": ...}`` wrapper; the protected header is ``{"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc",
"kid": <RFC 7638 thumbprint of the key>}``. (``EdDSA``, not RFC 9864's newer ``Ed25519`` name: it is the one PyJWT
and today's verifiers know.) A verifier fetches the JWKS at ``/certificates/jwks.json`` (linked from
the issuer profile at ``/certificates/issuer`` through its ``verificationMethod``), checks the signature with the key
whose ``kid`` matches, then reads ``validFrom``/``validUntil`` and asks ``credentialStatus`` whether it was revoked.

The key is generated on first use into the instance folder (mode 600, never logged), like the session secret.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from lms.catalog.models import Track
from lms.certificates.models import Certificate
from lms.core.i18n import text

KEY_FILE = "certificate_signing_key.pem"
CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
SCHEMA = {"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
          "type": "1EdTechJsonSchemaValidator2019"}
MEDIA_TYPE_JWT = "application/vc+jwt"


# --- addresses --------------------------------------------------------------------------------------------

def public_url(path: str) -> str:
    """An absolute URL of an LMS page, from LMS_BASE_URL and the mount prefix (no request needed)."""
    base = current_app.config["LMS_BASE_URL"].rstrip("/")
    prefix = current_app.extensions["lms"].url_prefix
    if prefix and not base.endswith(prefix):
        base += prefix
    return base + path


def issuer_url() -> str:
    return public_url("/certificates/issuer")


def jwks_url() -> str:
    return public_url("/certificates/jwks.json")


def verification_url(serial: str) -> str:
    return public_url(f"/verify/{serial}")


def status_url(certificate: Certificate) -> str:
    return public_url(f"/certificates/status/{certificate.credential_id}")


def issuer_name() -> str:
    return current_app.config.get("LMS_ISSUER_NAME") or "Labor Rights LMS"


# --- the key ----------------------------------------------------------------------------------------------

def _key_path() -> Path:
    return Path(current_app.instance_path) / KEY_FILE


def signing_key() -> Ed25519PrivateKey:
    """The LMS's Ed25519 signing key, generated into the instance folder (mode 600) the first time it is needed."""
    path = _key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        # O_EXCL: two workers starting at once must not each write a different key; the loser reads the winner's.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    stat = path.stat()
    return _load_key(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load_key(path: str, mtime_ns: int, size: int) -> Ed25519PrivateKey:  # noqa: ARG001 (cache keys)
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk() -> dict:
    """The public key as a JWK, with ``kid`` its RFC 7638 thumbprint (stable for as long as the key is)."""
    raw = signing_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    thumbprint = _b64url(hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()).digest())
    return {**jwk, "kid": thumbprint, "alg": "EdDSA", "use": "sig"}


def jwks() -> dict:
    return {"keys": [public_jwk()]}


def issuer_profile() -> dict:
    """The issuer's OB 3.0 Profile; its verification method points into the JWKS."""
    jwk = public_jwk()
    return {
        "@context": CONTEXTS,
        "id": issuer_url(),
        "type": ["Profile"],
        "name": issuer_name(),
        "url": public_url("/"),
        "verificationMethod": [{
            "id": f"{jwks_url()}#{jwk['kid']}",
            "type": "JsonWebKey",
            "controller": issuer_url(),
            "publicKeyJwk": {key: jwk[key] for key in ("kty", "crv", "x")},
        }],
    }


# --- the credential ---------------------------------------------------------------------------------------

def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _criteria(track: Track | None, certificate: Certificate) -> str:
    if track is None:
        courses = [text(course["title"], "en") for course in certificate.courses]
        return "Complete the courses: " + "; ".join(courses) + "."
    titles = _course_titles(track.course_slugs + list(track.elective_slugs or []))
    narrative = "Complete the courses: " + "; ".join(titles.get(slug, slug) for slug in track.course_slugs) + "."
    if track.electives_required:
        electives = "; ".join(titles.get(slug, slug) for slug in track.elective_slugs)
        narrative += f" Complete {track.electives_required} of the electives: {electives}."
    return narrative + f" Pass every quiz of these courses with at least {track.pass_mark}%."


def _course_titles(slugs: list[str]) -> dict[str, str]:
    from lms.catalog.services import course_by_slug, latest_version

    titles = {}
    for slug in slugs:
        course = course_by_slug(slug)
        version = latest_version(course.id) if course else None
        if version is not None:
            titles[slug] = text(version.title, "en")
    return titles


def credential(certificate: Certificate) -> dict:
    """The certificate as an unsigned OB 3.0 ``OpenBadgeCredential`` (W3C VC Data Model 2.0)."""
    track = certificate.track
    title_en = text(certificate.track_title, "en")
    achievement = {
        "id": public_url(f"/tracks/{certificate.track_slug}"),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title_en,
        "description": text(track.summary, "en") if track is not None and track.summary else title_en,
        "criteria": {"narrative": _criteria(track, certificate)},
        "creator": {"id": issuer_url(), "type": ["Profile"], "name": certificate.issuer_name},
    }
    document = {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{certificate.credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title_en,
        "issuer": {"id": issuer_url(), "type": ["Profile"], "name": certificate.issuer_name, "url": public_url("/")},
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityHash": certificate.learner_name,
                            "identityType": "name", "hashed": False}],
            "achievement": achievement,
        },
        "credentialStatus": {"id": status_url(certificate), "type": "1EdTechRevocationList"},
        "credentialSchema": [SCHEMA],
        "evidence": [{"id": verification_url(certificate.serial), "type": ["Evidence"],
                      "name": f"Certificate {certificate.serial}"}],
    }
    if certificate.expires_at is not None:
        document["validUntil"] = _iso(certificate.expires_at)
    return document


def credential_jwt(certificate: Certificate) -> str:
    """The credential signed as a compact JWS (VC-JWT, payload = the credential; see the module docstring)."""
    payload = json.dumps(credential(certificate), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"kid": public_jwk()["kid"], "typ": "vc+jwt", "cty": "vc"}
    return jwt.PyJWS().encode(payload, signing_key(), algorithm="EdDSA", headers=headers)


def status_document(certificate: Certificate) -> dict:
    """The 1EdTech revocation list for one credential: empty unless it was revoked (one per credential, so the
    list never reveals other learners' credentials)."""
    revoked = []
    if certificate.revoked_at is not None:
        revoked.append({"id": f"urn:uuid:{certificate.credential_id}", "revoked": True,
                        "revocationReason": certificate.revoked_reason or ""})
    return {"id": status_url(certificate), "issuer": issuer_url(), "revokedCredentials": revoked}
