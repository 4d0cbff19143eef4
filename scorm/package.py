"""A SCORM package (a zip) read safely: the one place that opens, lists, reads and extracts uploaded archives.

Every entry is checked when the package is opened, before anything is read: no path that could leave the
target folder (``../``, absolute paths, drive letters, backslashes), no symbolic links, no encrypted entries, and
limits on the number of entries, on each file's and the total unpacked size and on the compression ratio (zip
bombs). System junk (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``) is skipped with a warning. Every XML parse goes
through ``parse_xml`` (defusedxml: entity expansion and external entities refused).

Problems are ``PackageError``s whose message a course author can act on.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

MAX_ENTRIES = 10_000
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 100
# Small files cannot make a bomb, and tiny text files legitimately compress very well: the ratio limit only
# applies from this unpacked size on.
RATIO_FROM_BYTES = 1024 * 1024

JUNK_FOLDERS = frozenset({"__MACOSX"})
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
READABLE_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHUNK = 64 * 1024
_EXPORT_AGAIN = "Export the course again as a SCORM package."


class PackageError(ValueError):
    """A problem with a SCORM package, in words a course author understands."""


def parse_xml(data: bytes, name: str) -> Element:
    """Parse an XML document from a package with defusedxml.

    Raises PackageError when it is not well-formed (naming line and column) or declares entities.
    """
    try:
        return defusedxml.ElementTree.fromstring(data)
    except (defusedxml.EntitiesForbidden, defusedxml.DTDForbidden, defusedxml.ExternalReferenceForbidden) as error:
        raise PackageError(
            f"{name} declares XML entities or external references, which are refused for safety ({error}). "
            "Remove the <!DOCTYPE> and <!ENTITY> declarations, or export the course again as a SCORM package."
        ) from None
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise PackageError(
            f"{name} is not well-formed XML: {reason} at line {line}, column {column + 1}. "
            "Correct the file, or export the course again as a SCORM package."
        ) from None


def human_size(size: int) -> str:
    """A byte count as people read it: 512 bytes, 3.2 MB, 1.0 GB."""
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


class Package:
    """An opened, checked zip: the safe file names, each member's bytes, extraction to a folder.

    Open it with ``Package.open(path_or_bytes)``; use it as a context manager or call ``close()``.
    """

    def __init__(self, archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], warnings: list[str]) -> None:
        self._archive = archive
        self._members = members
        self.warnings = warnings

    @classmethod
    def open(cls, source: str | os.PathLike | bytes | BinaryIO, *, max_entries: int = MAX_ENTRIES,
             max_file_bytes: int = MAX_FILE_BYTES, max_total_bytes: int = MAX_TOTAL_BYTES,
             max_ratio: float = MAX_RATIO) -> Package:
        """Open a zip (a path, its bytes or a binary file) and check every entry.

        Raises PackageError when it is not a zip, or an entry is unsafe or over a limit.
        """
        if isinstance(source, (bytes, bytearray)):
            source = io.BytesIO(source)
        try:
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, EOFError):
            raise PackageError(f"The file is not a readable ZIP archive. {_EXPORT_AGAIN}") from None
        try:
            members, warnings = _checked_members(archive.infolist(), max_entries=max_entries,
                                                 max_file_bytes=max_file_bytes, max_total_bytes=max_total_bytes,
                                                 max_ratio=max_ratio)
        except PackageError:
            archive.close()
            raise
        return cls(archive, members, warnings)

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._archive.close()

    @property
    def names(self) -> list[str]:
        """Every file in the package (folders and junk left out), sorted."""
        return sorted(self._members)

    def __contains__(self, name: str) -> bool:
        return name in self._members

    def folder_names(self) -> set[str]:
        """Every folder that holds a file, as ``a/b/`` (used to tell a file from a folder in error messages)."""
        folders = set()
        for name in self._members:
            parts = name.split("/")[:-1]
            folders.update("/".join(parts[:index]) + "/" for index in range(1, len(parts) + 1))
        return folders

    def read(self, name: str) -> bytes:
        """The bytes of one file. Raises PackageError when the package has no such file or it is damaged."""
        return b"".join(self._chunks(name))

    def extract_to(self, target: str | os.PathLike) -> Path:
        """Write every file under ``target`` (created if needed) and return the folder.

        Nothing is written outside it and no existing file is overwritten. Raises PackageError on a damaged file
        or a name clash (two names that differ only by case on a case-insensitive disk).
        """
        root = Path(target).resolve()
        root.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            destination = root.joinpath(*name.split("/"))
            # Belt and braces: names were checked on open, but the disk is the last line.
            if os.path.commonpath([root, destination.resolve().parent]) != str(root):
                raise PackageError(f"The file “{name}” would be written outside the package folder.")
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with open(destination, "xb") as out:  # "x": never follow or replace what is already there
                    for chunk in self._chunks(name):
                        out.write(chunk)
            except FileExistsError:
                raise PackageError(f"The package holds “{name}” twice (perhaps with different capital letters). "
                                   f"Rename one of them and zip the package again.") from None
        return root

    def _chunks(self, name: str) -> Iterator[bytes]:
        info = self._members.get(name)
        if info is None:
            raise PackageError(f"The package has no file “{name}”.")
        remaining = info.file_size
        try:
            with self._archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    remaining -= len(chunk)
                    if remaining < 0:  # the entry unpacks to more than it declared: a forged header
                        raise PackageError(f"The file “{name}” is larger than the package says. {_EXPORT_AGAIN}")
                    yield chunk
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as error:
            raise PackageError(f"The file “{name}” in the package is damaged ({error}). {_EXPORT_AGAIN}") from None


def _checked_members(infos: list[zipfile.ZipInfo], *, max_entries: int, max_file_bytes: int, max_total_bytes: int,
                     max_ratio: float) -> tuple[dict[str, zipfile.ZipInfo], list[str]]:
    if len(infos) > max_entries:
        raise PackageError(f"The package has {len(infos):,} entries; the limit is {max_entries:,}. "
                           f"Remove files the course does not use and zip it again.")
    members: dict[str, zipfile.ZipInfo] = {}
    junk: list[str] = []
    total = 0
    for info in infos:
        name = _safe_name(info)
        if name is None:  # a folder entry
            continue
        if _is_junk(name):
            junk.append(name)
            continue
        _check_entry(info, name, max_file_bytes=max_file_bytes, max_ratio=max_ratio)
        if name in members:
            raise PackageError(f"The package holds “{name}” twice. Zip the course again.")
        total += info.file_size
        if total > max_total_bytes:
            raise PackageError(f"The package unpacks to more than {human_size(max_total_bytes)}, the limit. "
                               f"Make the course smaller (for example, compress its videos) and zip it again.")
        members[name] = info
    warnings = []
    if junk:
        warnings.append(f"Ignored {len(junk)} system file(s) that are not part of the course "
                        f"(such as “{junk[0]}”): __MACOSX folders, .DS_Store and Thumbs.db.")
    return members, warnings


def _safe_name(info: zipfile.ZipInfo) -> str | None:
    """The entry's name, checked; None for a folder. Raises PackageError for a name that could escape."""
    name = _decoded_name(info)
    shown = name if len(name) <= 120 else name[:117] + "..."
    if "\x00" in name or any(ord(char) < 32 for char in name):
        raise PackageError(f"The package has a file name with control characters (“{shown!r}”). {_EXPORT_AGAIN}")
    if "\\" in name:
        raise PackageError(f"The file name “{shown}” uses backslashes (\\) as folder separators. Zip the course "
                           f"again with a tool that writes standard paths with forward slashes (/).")
    if name.startswith("/") or _DRIVE.match(name):
        raise PackageError(f"The package has a file with an absolute path (“{shown}”), which could overwrite files "
                           f"on the server; it is refused for safety. {_EXPORT_AGAIN}")
    parts = name.split("/")
    if ".." in parts:
        raise PackageError(f"The package has a file path that points outside the package (“{shown}”); it is "
                           f"refused for safety. {_EXPORT_AGAIN}")
    if info.is_dir():
        return None
    cleaned = posixpath.normpath(name)
    return None if cleaned in ("", ".") else cleaned


def _decoded_name(info: zipfile.ZipInfo) -> str:
    # Many zip tools write UTF-8 names without setting the UTF-8 flag; zipfile then decodes them as cp437.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _is_junk(name: str) -> bool:
    parts = name.split("/")
    return any(part in JUNK_FOLDERS for part in parts[:-1]) or parts[-1] in JUNK_FILES or \
        parts[-1].startswith("._")


def _check_entry(info: zipfile.ZipInfo, name: str, *, max_file_bytes: int, max_ratio: float) -> None:
    if stat.S_ISLNK(info.external_attr >> 16):
        raise PackageError(f"The package has a symbolic link (“{name}”). Links are refused for safety; zip the "
                           f"course again with the real files in place of links.")
    if info.flag_bits & 0x1:
        raise PackageError(f"The file “{name}” is password-protected. Zip the course again without a password.")
    if info.compress_type not in READABLE_COMPRESSION:
        raise PackageError(f"The file “{name}” uses a compression method this server cannot read. Zip the "
                           f"course again with standard (Deflate) compression.")
    if info.file_size > max_file_bytes:
        raise PackageError(f"The file “{name}” is {human_size(info.file_size)} when unpacked; the limit for one "
                           f"file is {human_size(max_file_bytes)}.")
    if info.file_size >= RATIO_FROM_BYTES:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > max_ratio:
            raise PackageError(f"The file “{name}” is compressed {ratio:,.0f} to 1, far more than real course "
                               f"files are (the limit is {max_ratio:,.0f} to 1): it looks like a “zip bomb”, so "
                               f"the package is refused.")
