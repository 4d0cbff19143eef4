"""Attachments on statements: multipart/mixed requests and responses, and JWS signatures (signed statements)."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
import secrets

import jwt
from cryptography import x509
from sqlalchemy import select

from lms.db import session
from lms.xapi.models import Attachment
from lms.xapi.protocol import bad_request

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
SIGNATURE_ALGORITHMS = ("RS256", "RS384", "RS512")
# Properties an LRS may set or change; a signature's payload is compared without them.
LRS_PROPERTIES = ("id", "authority", "stored", "timestamp", "version", "attachments")
SHA2_BY_HEX_LENGTH = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}


def parse_multipart(content_type_header: str, body: bytes) -> tuple[list | dict, dict[str, tuple[str, bytes]]]:
    """The statements (first part) and the attachment parts by SHA-2 of a multipart/mixed request.

    Raises a 400 XAPIError for a malformed request.
    """
    if "boundary=" not in content_type_header:
        raise bad_request("a multipart/mixed request needs a boundary in its Content-Type")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type_header.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise bad_request("the multipart/mixed body could not be read")
    parts = list(message.iter_parts())
    if not parts:
        raise bad_request("the multipart/mixed body has no parts")
    first = parts[0]
    if first.get_content_type() != "application/json":
        raise bad_request("the first part of a multipart/mixed request must be application/json")
    try:
        statements = json.loads(first.get_payload(decode=True).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, AttributeError) as error:
        raise bad_request(f"the statement part is not valid JSON: {error}") from None
    files: dict[str, tuple[str, bytes]] = {}
    for part in parts[1:]:
        declared = part.get("X-Experience-API-Hash")
        if not declared:
            raise bad_request("every attachment part needs an X-Experience-API-Hash header")
        encoding = (part.get("Content-Transfer-Encoding") or "binary").lower()
        if encoding != "binary":
            raise bad_request("attachment parts must use Content-Transfer-Encoding: binary")
        content = part.get_payload(decode=True) or b""
        if _sha2(content, declared.strip().lower()) != declared.strip().lower():
            raise bad_request(f"the attachment part with hash {declared} does not match its content")
        files[declared.strip().lower()] = (part.get_content_type(), content)
    return statements, files


def _sha2(content: bytes, declared: str) -> str:
    # Providers may hash with SHA-256, SHA-384 or SHA-512 (Communication 1.5.2.s4.b4): the length says which.
    algorithm = SHA2_BY_HEX_LENGTH.get(len(declared), "sha256")
    return hashlib.new(algorithm, content).hexdigest()


def check_and_collect(statements: list[dict], files: dict[str, tuple[str, bytes]]) -> list[tuple[str, str, bytes]]:
    """Match attachment metadata to parts and check signatures. Returns (sha2, content type, content) to store.

    Every attachment without a fileUrl needs its part; no part may be left over. Raises a 400 XAPIError.
    """
    needed: set[str] = set()
    for index, statement in enumerate(statements):
        for position, attachment in enumerate(statement.get("attachments") or []):
            if not isinstance(attachment, dict):
                continue
            sha2 = str(attachment.get("sha2", "")).lower()
            if sha2 in files:
                needed.add(sha2)
            elif "fileUrl" not in attachment:
                raise bad_request(f"statements[{index}].attachments[{position}]: no part carries the attachment "
                                  f"with sha2 {sha2}, and it has no fileUrl")
            if attachment.get("usageType") == SIGNATURE_USAGE:
                _check_signature(statement, attachment, files.get(sha2), f"statements[{index}]")
    extra = set(files) - needed
    if extra:
        raise bad_request("the request has attachment parts that no statement refers to: " + ", ".join(sorted(extra)))
    return [(sha2, files[sha2][0], files[sha2][1]) for sha2 in sorted(needed)]


def _check_signature(statement: dict, attachment: dict, part: tuple[str, bytes] | None, path: str) -> None:
    if attachment.get("contentType") != "application/octet-stream":
        raise bad_request(f"{path}: a signature attachment must have the contentType application/octet-stream")
    if part is None:
        raise bad_request(f"{path}: the signature attachment's content is missing")
    token = part[1].decode("ascii", errors="replace").strip()
    try:
        header = jwt.get_unverified_header(token)
        signed = jwt.api_jws.PyJWS().decode_complete(token, options={"verify_signature": False})
    except jwt.exceptions.PyJWTError as error:
        raise bad_request(f"{path}: the signature is not a valid JWS: {error}") from None
    if header.get("alg") not in SIGNATURE_ALGORITHMS:
        raise bad_request(f"{path}: the signature must use RS256, RS384 or RS512, not {header.get('alg')}")
    try:
        original = json.loads(signed["payload"])
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request(f"{path}: the signature's payload is not a JSON statement") from None
    if not isinstance(original, dict) or _comparable(original) != _comparable(statement):
        raise bad_request(f"{path}: the signed statement differs from the statement sent")
    if "x5c" in header:
        _verify_with_certificate(token, header, path)


def _comparable(statement: dict) -> str:
    return json.dumps({k: v for k, v in statement.items() if k not in LRS_PROPERTIES}, sort_keys=True)


def _verify_with_certificate(token: str, header: dict, path: str) -> None:
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        jwt.api_jws.PyJWS().decode(token, key=certificate.public_key(), algorithms=[header["alg"]])
    except (ValueError, TypeError, IndexError, KeyError, jwt.exceptions.PyJWTError) as error:
        raise bad_request(f"{path}: the signature does not verify against its x5c certificate: {error}") from None


def store_contents(contents: list[tuple[str, str, bytes]]) -> None:
    """Keep attachment contents, once per hash. Flushes."""
    if not contents:
        return
    known = set(session.execute(select(Attachment.sha2).where(
        Attachment.sha2.in_([sha2 for sha2, _, _ in contents]))).scalars())
    for sha2, content_type, content in contents:
        if sha2 not in known:
            session.add(Attachment(sha2=sha2, content_type=content_type, content=content))
            known.add(sha2)
    session.flush()


def multipart_response(statements_document: dict | list, statements: list[dict]) -> tuple[bytes, str]:
    """A multipart/mixed body: the statements JSON, then each stored attachment they refer to."""
    boundary = "xapi-" + secrets.token_hex(12)
    hashes = sorted({a["sha2"] for s in statements for a in s.get("attachments") or [] if "sha2" in a})
    contents = {row.sha2: row for row in session.execute(
        select(Attachment).where(Attachment.sha2.in_(hashes))).scalars()} if hashes else {}
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
              json.dumps(statements_document, ensure_ascii=False).encode("utf-8"), b"\r\n"]
    for sha2 in hashes:
        row = contents.get(sha2)
        if row is None:
            continue
        chunks += [f"--{boundary}\r\nContent-Type: {row.content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                   f"X-Experience-API-Hash: {sha2}\r\n\r\n".encode(), row.content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f'multipart/mixed; boundary="{boundary}"'
