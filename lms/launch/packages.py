"""Package storage shared by every launchable format (cmi5, Tin Can, and the SCORM player): an uploaded zip is read
safely and its files are kept once, under ``<instance>/packages/<SHA-256 of the zip>/``.

Reading is ``scorm.package`` (the one place that opens uploaded archives: no path traversal, no links, limits on
entry count, sizes and compression ratio, junk skipped, defusedxml for XML). Storing extracts into a temporary
folder beside the final one and renames it into place, so a half-written package is never served and two
uploads of the same zip end with one copy. ``file_path`` is what the file route serves: it never resolves a folder
and never leaves the package's folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from flask import current_app

from scorm.package import Package, PackageError, parse_xml

__all__ = ["Package", "PackageError", "StoredPackage", "digest", "is_zip", "open_zip", "read_xml", "store_files",
           "package_folder", "file_path", "remove_files"]

FOLDER = "packages"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredPackage:
    sha256: str
    root: Path
    file_count: int


def digest(data: bytes) -> str:
    """The SHA-256 (hexadecimal) that names an upload's folder."""
    return hashlib.sha256(data).hexdigest()


def is_zip(data: bytes) -> bool:
    """Whether the bytes start like a zip archive (a local file header, or the end record of an empty zip)."""
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _for_any_package(error: PackageError) -> PackageError:
    # scorm.package words its advice for SCORM exports; the same checks guard cmi5 and Tin Can uploads.
    return PackageError(str(error).replace(" as a SCORM package", ""))


def open_zip(data: bytes) -> Package:
    """Open an uploaded zip with every safety check of ``scorm.package``. Raises PackageError naming the problem."""
    try:
        return Package.open(data)
    except PackageError as error:
        raise _for_any_package(error) from None


def read_xml(data: bytes, name: str) -> Element:
    """Parse an XML file of a package with defusedxml. Raises PackageError (malformed, or declaring entities)."""
    try:
        return parse_xml(data, name)
    except PackageError as error:
        raise _for_any_package(error) from None


def packages_root() -> Path:
    """Where stored packages live: ``packages/`` in the instance folder."""
    return Path(current_app.instance_path) / FOLDER


def package_folder(sha256: str) -> Path:
    """The folder of a stored package. Raises ValueError for anything but a SHA-256 in lower-case hexadecimal."""
    if not _SHA256.match(sha256 or ""):
        raise ValueError("not a package digest")
    return packages_root() / sha256


def store_files(package: Package, sha256: str) -> StoredPackage:
    """Extract a checked package under its digest's folder, once: an existing folder is kept as it is.

    Raises PackageError when a file is damaged or two names clash on disk (nothing is left behind then).
    """
    final = package_folder(sha256)
    if final.is_dir():
        return StoredPackage(sha256, final, len(package.names))
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{sha256[:12]}-", dir=final.parent))
    try:
        package.extract_to(staging)
        try:
            os.rename(staging, final)
        except OSError:
            if not final.is_dir():  # not a concurrent upload of the same zip winning the race: a real failure
                raise
            shutil.rmtree(staging, ignore_errors=True)
    except PackageError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise _for_any_package(error) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return StoredPackage(sha256, final, len(package.names))


def file_path(sha256: str, name: str) -> Path | None:
    """The stored file a URL path names inside a package, or None: for an unknown package, a folder, a missing
    file, a hidden or staging name, or any path that would leave the package's folder."""
    try:
        root = package_folder(sha256).resolve()
    except ValueError:
        return None
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or any(part in ("", ".", "..") for part in parts):
        return None
    candidate = root.joinpath(*parts)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if os.path.commonpath([root, resolved]) != str(root) or candidate.is_symlink() or not resolved.is_file():
        return None
    return resolved


def remove_files(sha256: str) -> None:
    """Delete a stored package's folder (when no course uses it any more); a missing folder is no error."""
    try:
        shutil.rmtree(package_folder(sha256))
    except FileNotFoundError:
        pass
