"""Every xAPI verb, activity type and extension the LMS uses, each named once."""

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"

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
    VOIDED = ADL_VERBS + "voided"
    EARNED = "http://id.tincanapi.com/verb/earned"


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
    Verb.VOIDED: "voided",
    Verb.EARNED: "earned",
}


class ActivityType:
    COURSE = ADL_ACTIVITIES + "course"
    MODULE = ADL_ACTIVITIES + "module"
    LESSON = ADL_ACTIVITIES + "lesson"
    ASSESSMENT = ADL_ACTIVITIES + "assessment"
    QUESTION = ADL_ACTIVITIES + "cmi.interaction"
    # A curriculum track, as the achievement a learner ``earned``: the registry's badge type, which that verb is for.
    TRACK = "http://id.tincanapi.com/activitytype/badge"


def extension_iri(base_url: str, name: str) -> str:
    """An LMS-defined extension key, under the LMS's own base URL so it is a resolvable IRI."""
    return f"{base_url.rstrip('/')}/xapi/extensions/{name}"


COURSE_VERSION_EXTENSION = "course-version"
