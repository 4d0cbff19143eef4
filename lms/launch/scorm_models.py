"""SCORM run-time state: one row per learner, registration, SCO and attempt.

The package itself is a ``ContentPackage`` (kind "scorm") with a ``LaunchStructure`` per course version (kind
"scorm": the organization's item tree), and each launchable item of the package is a ``CourseItem`` of kind "sco"
(see ``lms.launch.scorm``). What the learner did is xAPI statements; this table holds only what the SCORM API needs
to give back to content on the next launch (the CMI state), and where the attempt stands.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.db import Base, JSONType, UTCDateTime, UUIDString, new_uuid, utcnow


class ScormAttempt(Base):
    """A learner's attempt at a SCO (SCORM RTE 4.2): its CMI data model values and its sessions.

    ``sco`` is the SCO item's slug, which stays the same in every version of the course (the registration is the
    enrolment's, so learners moved to a newer version keep their attempts). ``state`` holds the data model as flat
    dotted names (``cmi.core.lesson_location``...): the values the LMS supplied at launch and those content
    committed. An attempt ends (``ended_at``) when content terminates without suspending; the next launch then
    starts a new attempt from scratch.
    """

    __tablename__ = "lms_scorm_attempt"
    __table_args__ = (
        Index("uq_lms_scorm_attempt_user_registration_sco_number", "user_id", "registration", "sco", "number",
              unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[str] = mapped_column(UUIDString, unique=True, default=new_uuid)  # in the attempt's IRI
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    registration: Mapped[str] = mapped_column(
        UUIDString, ForeignKey("lms_enrollment.registration", ondelete="CASCADE"), index=True)
    sco: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[str] = mapped_column(String(8))  # "1.2" or "2004": the data model of ``state``
    state: Mapped[dict] = mapped_column(JSONType(), default=dict)
    # A random value signed into the attempt's commit token (scorm_runtime.attempt_token): a new one voids it.
    nonce: Mapped[str] = mapped_column(String(32))
    sessions: Mapped[int] = mapped_column(Integer, default=0)  # how many times content called Initialize
    # The player page of the current session (a new one at each launch): the last commits of a page already left
    # may arrive after the next page started its session, and must not end that one.
    session_key: Mapped[str] = mapped_column(String(32), default="")
    is_initialized: Mapped[bool] = mapped_column(default=False)  # the current session called Initialize
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_commit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last session's Terminate
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
