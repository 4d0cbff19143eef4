"""What the cohort services' error codes and import outcomes say, in the reader's language (pages and CLI)."""

from __future__ import annotations

from lms.cohorts.importing import ImportFileError, RowPlan
from lms.cohorts.services import CohortError, InvitationError
from lms.core.i18n import _, ngettext

AUDIENCE_NAMES = ("worker / 劳动者", "employer / 用人单位", "labor inspector / 劳动保障监察员",
                  "labor official / 劳动行政官员", "academic / 学者", "other / 其他")


def cohort_error(error: CohortError, removing: bool = False) -> str:
    params = error.params
    if error.code == "unknown_emails":
        emails = params.get("emails", [])
        listed = ", ".join(emails[:20]) + (" …" if len(emails) > 20 else "")
        if removing:
            return ngettext("This %(num)d address is not a member of the cohort: %(emails)s",
                            "These %(num)d addresses are not members of the cohort: %(emails)s",
                            len(emails), emails=listed)
        return ngettext("No account has this %(num)d e-mail address: %(emails)s. Nothing was changed.",
                        "No account has these %(num)d e-mail addresses: %(emails)s. Nothing was changed.",
                        len(emails), emails=listed)
    messages = {
        "name_missing": lambda: _("Give the cohort a name."),
        "name_too_long": lambda: _("The name may have at most %(limit)d characters.", limit=params["limit"]),
        "name_taken": lambda: _("A cohort named “%(name)s” already exists.", name=params["name"]),
        "archived": lambda: _("The cohort “%(name)s” is archived. Restore it first to change it.",
                              name=params["name"]),
        "nothing_to_assign": lambda: _("Choose a track or a course."),
        "already_assigned": lambda: _("The cohort is already enrolled in “%(name)s”.", name=params["name"]),
        "no_published_version": lambda: _("These courses have no published version, so nobody can be enrolled in "
                                          "them yet: %(courses)s", courses=", ".join(params["courses"])),
        "organisation_too_long": lambda: _("The organisation may have at most %(limit)d characters.",
                                           limit=params["limit"]),
    }
    return messages[error.code]() if error.code in messages else str(error)


def invitation_error(error: InvitationError) -> str:
    return {
        "unknown": _("This invitation link is not valid. Check that you copied the whole link from the e-mail."),
        "expired": _("This invitation link has expired. Ask your administrator to send a new one."),
        "accepted": _("This invitation has already been used. Sign in with the password you chose."),
        "password_short": _("The password must have at least %(count)d characters.", count=8),
    }.get(error.code, str(error))


def file_error(error: ImportFileError) -> str:
    params = error.params
    messages = {
        "empty": lambda: _("The file is empty."),
        "too_large": lambda: _("The file is larger than %(limit)d MB. Split it into several files.",
                               limit=params["limit_mb"]),
        "old_excel": lambda: _("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload that."),
        "bad_xlsx": lambda: _("The .xlsx file could not be opened. Save it again from Excel, or as CSV."),
        "unreadable": lambda: _("The text of the file could not be read. Save it as CSV UTF-8, or as .xlsx."),
        "no_email_column": lambda: _("No e-mail column was found. The first row must name the columns, with one "
                                     "called “email” or “邮箱”."),
        "duplicate_column": lambda: _("Two columns mean the same (“%(column)s”). Keep only one.",
                                      column=params["column"]),
        "too_many_rows": lambda: _("The file has more than %(limit)d rows. Split it into several files.",
                                   limit=params["limit"]),
    }
    return messages[error.code]() if error.code in messages else str(error)


def row_error(code: str, params: dict) -> str:
    messages = {
        "email_missing": lambda: _("The e-mail address is missing."),
        "email_too_long": lambda: _("The e-mail address is longer than %(limit)d characters.",
                                    limit=params["limit"]),
        "email_invalid": lambda: _("“%(value)s” is not a valid e-mail address.", value=params["value"]),
        "name_too_long": lambda: _("The name is longer than %(limit)d characters.", limit=params["limit"]),
        "audience_unknown": lambda: _("Unknown audience “%(value)s”. Use one of: %(known)s.", value=params["value"],
                                      known="; ".join(AUDIENCE_NAMES)),
        "language_unknown": lambda: _("Unknown language “%(value)s”. Use English (en) or Chinese (中文, zh-Hans).",
                                      value=params["value"]),
        "cohort_too_long": lambda: _("The cohort name is longer than %(limit)d characters.", limit=params["limit"]),
        "organisation_too_long": lambda: _("The organisation is longer than %(limit)d characters.",
                                           limit=params["limit"]),
        "duplicate": lambda: _("Duplicate of row %(row)d (the same e-mail address and cohort).", row=params["row"]),
        "cohort_archived": lambda: _("The cohort “%(cohort)s” is archived.", cohort=params["cohort"]),
    }
    return messages[code]() if code in messages else code


def row_outcomes(row: RowPlan) -> list[str]:
    """What applying does with a valid row, as short phrases."""
    phrases = []
    if row.account == "new":
        phrases.append(_("New account (an invitation will be e-mailed)"))
    elif row.account == "existing":
        phrases.append(_("Existing account"))
    elif row.account == "earlier_row":
        phrases.append(_("Account from an earlier row"))
    if row.membership == "added":
        phrases.append(_("joins the new cohort “%(cohort)s”", cohort=row.cohort) if row.is_new_cohort
                       else _("joins “%(cohort)s”", cohort=row.cohort))
    elif row.membership == "rejoins":
        phrases.append(_("rejoins “%(cohort)s”", cohort=row.cohort))
    elif row.membership == "already":
        phrases.append(_("already in “%(cohort)s”", cohort=row.cohort))
    if row.enrolments_added:
        phrases.append(_("enrolment added: %(courses)s", courses=", ".join(row.enrolments_added)))
    if row.enrolments_existing:
        phrases.append(_("already enrolled: %(courses)s", courses=", ".join(row.enrolments_existing)))
    if row.sets_organisation:
        phrases.append(_("organisation: %(organisation)s", organisation=row.organisation))
    if not row.changes_something:
        phrases.append(_("nothing to change"))
    return phrases
