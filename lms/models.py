"""Every model module, imported together so the metadata is complete (for migrations and table checks)."""


def import_all() -> None:
    import lms.accounts.models  # noqa: F401
    import lms.authoring.models  # noqa: F401
    import lms.api.models  # noqa: F401
    import lms.catalog.models  # noqa: F401
    import lms.certificates.models  # noqa: F401
    import lms.cohorts.models  # noqa: F401
    import lms.core.audit  # noqa: F401
    import lms.core.models  # noqa: F401
    import lms.launch.models  # noqa: F401
    import lms.launch.scorm_models  # noqa: F401
    import lms.learning.models  # noqa: F401
    import lms.tracking.models  # noqa: F401
    import lms.xapi.models  # noqa: F401
