"""scorm.package: every unsafe zip is refused with words a course author understands; safe ones read and extract."""

from __future__ import annotations

import stat
import subprocess
import sys
import zipfile

import pytest

from scorm.package import Package, PackageError, parse_xml

from .conftest import ROOT


def _refusal(data: bytes, **limits) -> str:
    with pytest.raises(PackageError) as caught:
        Package.open(data, **limits)
    return str(caught.value)


def test_the_library_imports_without_flask_or_lms():
    code = ("import sys; sys.modules['flask'] = None; sys.modules['lms'] = None\n"
            "import scorm.package, scorm.manifest, scorm.cmi, scorm.events, scorm.export\n"
            "loaded = [m for m, v in sys.modules.items() if v is not None and m.split('.')[0] in "
            "('flask', 'lms', 'werkzeug', 'sqlalchemy')]\n"
            "print(loaded)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_a_file_that_is_not_a_zip_is_refused():
    assert "not a readable ZIP archive" in _refusal(b"<html>not a zip</html>")


def test_a_path_traversal_entry_is_refused(make_zip):
    message = _refusal(make_zip({"index.html": "ok", "../../etc/cron.d/evil": "x"}))
    assert "points outside the package" in message and "../../etc/cron.d/evil" in message


def test_a_traversal_hidden_in_the_middle_of_a_path_is_refused(make_zip):
    assert "points outside the package" in _refusal(make_zip({"course/../../evil.html": "x"}))


def test_an_absolute_path_entry_is_refused(make_zip):
    assert "absolute path" in _refusal(make_zip({"/etc/passwd": "x"}))


def test_a_windows_drive_letter_path_is_refused(make_zip):
    assert "absolute path" in _refusal(make_zip({"C:/Windows/evil.dll": "x"}))


def test_a_backslash_path_is_refused_with_the_fix(make_zip):
    message = _refusal(make_zip({"course\\index.html": "x"}))
    assert "backslashes" in message and "forward slashes" in message


def test_a_symlink_entry_is_refused(make_zip):
    link = zipfile.ZipInfo("shared/passwd")
    link.create_system = 3  # Unix
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    message = _refusal(make_zip([("index.html", "ok"), (link, "/etc/passwd")]))
    assert "symbolic link" in message and "shared/passwd" in message


def test_too_many_entries_are_refused(make_zip):
    message = _refusal(make_zip({f"page{number}.html": "x" for number in range(6)}), max_entries=5)
    assert "6 entries" in message and "limit is 5" in message


def test_an_oversized_entry_is_refused(make_zip):
    message = _refusal(make_zip({"video.mp4": b"\x01\x02" * 1500}, compression=zipfile.ZIP_STORED),
                       max_file_bytes=2000)
    assert "video.mp4" in message and "limit for one file" in message


def test_a_package_too_large_in_total_is_refused(make_zip):
    data = make_zip({f"part{number}.bin": bytes(range(256)) * 4 for number in range(4)},
                    compression=zipfile.ZIP_STORED)
    assert "unpacks to more than" in _refusal(data, max_total_bytes=3000)


def test_a_high_compression_ratio_bomb_is_refused_with_default_limits(make_zip):
    message = _refusal(make_zip({"bomb.txt": b"\0" * (16 * 1024 * 1024)}))
    assert "zip bomb" in message and "bomb.txt" in message


def test_a_small_file_that_compresses_well_is_accepted(make_zip):
    with Package.open(make_zip({"blank.html": " " * 200_000})) as package:
        assert package.names == ["blank.html"]


def test_a_password_protected_entry_is_refused(make_zip):
    data = bytearray(make_zip({"secret.html": "x"}, compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag in the local and the central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.index(signature) + offset
        data[position] |= 0x01
    assert "password-protected" in _refusal(bytes(data))


def test_system_junk_is_ignored_with_a_warning(make_zip):
    data = make_zip({"index.html": "ok", "__MACOSX/._index.html": "junk", ".DS_Store": "junk",
                     "images/Thumbs.db": "junk"})
    with Package.open(data) as package:
        assert package.names == ["index.html"]
        assert len(package.warnings) == 1 and "3 system file(s)" in package.warnings[0]


def test_folders_are_not_listed_as_files(make_zip):
    with Package.open(make_zip({"css/": "", "css/site.css": "body{}"})) as package:
        assert package.names == ["css/site.css"]


def test_a_member_reads_back_its_bytes(make_zip):
    with Package.open(make_zip({"a/b.txt": "héllo"})) as package:
        assert package.read("a/b.txt") == "héllo".encode()


def test_reading_a_file_the_package_lacks_is_a_package_error(make_zip):
    with Package.open(make_zip({"a.txt": "x"})) as package, pytest.raises(PackageError, match="no file “b.txt”"):
        package.read("b.txt")


def test_a_package_opens_from_a_path(make_zip, tmp_path):
    path = tmp_path / "course.zip"
    path.write_bytes(make_zip({"index.html": "x"}))
    with Package.open(path) as package:
        assert "index.html" in package


def test_extraction_writes_every_file_inside_the_target(make_zip, tmp_path):
    with Package.open(make_zip({"index.html": "<p>1</p>", "shared/app.js": "go()", "__MACOSX/x": "j"})) as package:
        root = package.extract_to(tmp_path / "out")
    written = sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
    assert written == ["index.html", "shared/app.js"]
    assert (root / "shared" / "app.js").read_text() == "go()"


def test_extraction_never_overwrites_an_existing_file(make_zip, tmp_path):
    (tmp_path / "index.html").write_text("already here")
    with Package.open(make_zip({"index.html": "new"})) as package, pytest.raises(PackageError, match="twice"):
        package.extract_to(tmp_path)
    assert (tmp_path / "index.html").read_text() == "already here"


def test_utf8_names_without_the_utf8_flag_are_decoded(make_zip):
    real = "课程.html".encode("utf-8")
    placeholder = b"X" * (len(real) - 5) + b".html"  # ASCII, so zipfile leaves the UTF-8 flag unset
    data = make_zip({placeholder.decode(): "ok"}, compression=zipfile.ZIP_STORED).replace(placeholder, real)
    with Package.open(data) as package:
        assert package.names == ["课程.html"]
        assert package.read("课程.html") == b"ok"


def test_xml_entity_expansion_is_refused():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><manifest>&lol2;</manifest>')
    with pytest.raises(PackageError, match="entities"):
        parse_xml(laughs, "imsmanifest.xml")


def test_malformed_xml_names_line_and_column():
    with pytest.raises(PackageError, match=r"not well-formed XML: mismatched tag at line 3, column \d+"):
        parse_xml(b"<manifest>\n<item>\n</manifest>", "imsmanifest.xml")
