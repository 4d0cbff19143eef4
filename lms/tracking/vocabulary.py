"""Every xAPI verb, activity type and extension the LMS uses, each named once."""

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
ADL_W3ID_VERBS = "https://w3id.org/xapi/adl/verbs/"

XAPI_VERSION = "1.0.3"


class Verb:
    REGISTERED = ADL_VERBS + "registered"
    LAUNCHED = ADL_VERBS + "launched"
    INITIALIZED = ADL_VERBS + "initialized"
    EXPERIENCED = ADL_VERBS + "experienced"
    PROGRESSED = ADL_VERBS + "progressed"
    ANSWERED = ADL_VERBS + "answered"
    ATTEMPTED = ADL_VERBS + "attempted"
    COMPLETED = ADL_VERBS + "completed"
    PASSED = ADL_VERBS + "passed"
    FAILED = ADL_VERBS + "failed"
    SUSPENDED = ADL_VERBS + "suspended"
    RESUMED = ADL_VERBS + "resumed"
    TERMINATED = ADL_VERBS + "terminated"
    # SCORM run-time data as statements (ADL xAPI SCORM Profile: interactions, scores).
    RESPONDED = ADL_VERBS + "responded"
    SCORED = ADL_VERBS + "scored"
    VOIDED = ADL_VERBS + "voided"
    EARNED = "http://id.tincanapi.com/verb/earned"
    # The LMS's own cmi5 verbs (cmi5 Quartz 9.3.6, 9.3.7, 9.3.9).
    SATISFIED = ADL_W3ID_VERBS + "satisfied"
    ABANDONED = ADL_W3ID_VERBS + "abandoned"
    WAIVED = ADL_W3ID_VERBS + "waived"


VERB_DISPLAY = {
    Verb.REGISTERED: "registered",
    Verb.LAUNCHED: "launched",
    Verb.INITIALIZED: "initialized",
    Verb.EXPERIENCED: "experienced",
    Verb.PROGRESSED: "progressed",
    Verb.ANSWERED: "answered",
    Verb.ATTEMPTED: "attempted",
    Verb.COMPLETED: "completed",
    Verb.PASSED: "passed",
    Verb.FAILED: "failed",
    Verb.SUSPENDED: "suspended",
    Verb.RESUMED: "resumed",
    Verb.TERMINATED: "terminated",
    Verb.RESPONDED: "responded",
    Verb.SCORED: "scored",
    Verb.VOIDED: "voided",
    Verb.EARNED: "earned",
    Verb.SATISFIED: "satisfied",
    Verb.ABANDONED: "abandoned",
    Verb.WAIVED: "waived",
}


class ActivityType:
    COURSE = ADL_ACTIVITIES + "course"
    MODULE = ADL_ACTIVITIES + "module"
    LESSON = ADL_ACTIVITIES + "lesson"
    ASSESSMENT = ADL_ACTIVITIES + "assessment"
    QUESTION = ADL_ACTIVITIES + "cmi.interaction"
    ATTEMPT = ADL_ACTIVITIES + "attempt"  # one attempt at a SCORM SCO (xAPI SCORM Profile)
    # A curriculum track, as the achievement a learner ``earned``: the registry's badge type, which that verb is for.
    TRACK = "http://id.tincanapi.com/activitytype/badge"


def extension_iri(base_url: str, name: str) -> str:
    """An LMS-defined extension key, under the LMS's own base URL so it is a resolvable IRI."""
    return f"{base_url.rstrip('/')}/xapi/extensions/{name}"


COURSE_VERSION_EXTENSION = "course-version"


class CMI5:
    """The cmi5 profile's IRIs (cmi5 Quartz section 9): its category, context and result extensions, activity types."""

    CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"  # marks a "cmi5 defined" statement
    MOVE_ON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon"
    SESSION_ID = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
    MASTERY_SCORE = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
    LAUNCH_MODE = "https://w3id.org/xapi/cmi5/context/extensions/launchmode"
    LAUNCH_URL = "https://w3id.org/xapi/cmi5/context/extensions/launchurl"
    MOVE_ON = "https://w3id.org/xapi/cmi5/context/extensions/moveon"
    LAUNCH_PARAMETERS = "https://w3id.org/xapi/cmi5/context/extensions/launchparameters"
    REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
    PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
    BLOCK = "https://w3id.org/xapi/cmi5/activitytype/block"
    COURSE = "https://w3id.org/xapi/cmi5/activitytype/course"
