"""SCORM as a plain library: safe package reading, the manifest, the CMI data models, and export.

Nothing here imports Flask or ``lms`` (DESIGN "Which way the imports go"): the LMS calls in, never the reverse.

- ``scorm.package``: a zip opened and read safely (``Package``, ``PackageError``, ``parse_xml``).
- ``scorm.manifest``: imsmanifest.xml as dataclasses (``read_manifest``), with ``scorm.sequencing`` for 2004
  sequencing and ``scorm.xmltree`` for reading XML by local name.
- ``scorm.cmi``: the 1.2 and 2004 data models as tables, ``check_commit``, ``writable``, ``outcome``, durations.
- ``scorm.events``: a commit's changes as ADL xAPI SCORM Profile events (``commit_events``).
- ``scorm.export``: a course as a SCORM 2004 4th edition or 1.2 zip (``export_package``), with ``scorm.assets``.
"""

from scorm.package import PackageError

__all__ = ["PackageError"]
