from flask import Blueprint, abort, flash, redirect, render_template, request, session as http_session, url_for
from flask_login import current_user, login_user, logout_user

from lms.core.views import area_blueprint
from lms.accounts import services
from lms.accounts.forms import LanguageForm, LoginForm, LogoutForm, PasswordForm, ProfileForm, RegisterForm
from lms.core.access import login_required
from lms.core.i18n import LOCALES, _, ngettext
from lms.db import session

bp = area_blueprint("accounts", __name__, template_folder="templates", url_prefix="/account")


def _safe_next(target: str | None) -> str | None:
    # Only paths on this site: an open redirect would let a phishing link borrow our sign-in page. Control
    # characters are refused too: browsers drop a tab in "/\t/evil.example", leaving "//evil.example".
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "")
        except services.SignInLocked as locked:
            session.commit()
            form.password.errors.append(ngettext(
                "Too many failed sign-in attempts. Please wait %(num)d minute and try again.",
                "Too many failed sign-in attempts. Please wait %(num)d minutes and try again.", locked.minutes))
            return _login_page(form, 429)
        session.commit()
        if user is None:
            form.password.errors.append(_("The e-mail address or the password is not correct."))
            return _login_page(form, 401)
        login_user(user, remember=form.remember.data)
        flash(_("Welcome, %(name)s.", name=user.display_name), "success")
        return redirect(_safe_next(request.args.get("next")) or url_for("learning.my_learning"))
    if request.method == "POST" and "csrf_token" in form.errors:
        flash(_("The form has expired. Please sign in again."), "error")
    return _login_page(form, 400 if request.method == "POST" else 200)


def _login_page(form: LoginForm, status: int):
    return render_template("lms/accounts/login.html", form=form,
                           registration_open=services.is_registration_open()), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You have signed out."), "info")
    return redirect(url_for("catalog.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if not services.is_registration_open():
        return render_template("lms/accounts/registration_closed.html"), 403
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.password.data, form.display_name.data,
                                        roles=["learner"], audience=form.audience.data, language=form.language.data)
        except services.AccountError as error:
            session.rollback()
            getattr(form, error.field or "email").errors.append(_account_error(error))
            return render_template("lms/accounts/register.html", form=form), 400
        session.commit()
        login_user(user)
        flash(_("Your account is ready. Welcome!"), "success")
        return redirect(url_for("catalog.index"))
    return render_template("lms/accounts/register.html", form=form), (400 if form.errors else 200)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, form.display_name.data, form.audience.data, form.language.data)
        except services.AccountError as error:
            session.rollback()
            getattr(form, error.field).errors.append(_account_error(error))
            return render_template("lms/accounts/profile.html", form=form), 400
        session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("lms/accounts/profile.html", form=form), (400 if form.errors else 200)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except services.AccountError as error:
            session.rollback()
            getattr(form, error.field).errors.append(_account_error(error))
            return render_template("lms/accounts/password.html", form=form), 400
        session.commit()
        # The session id includes a fingerprint of the password hash: every other session just ended; keep this one.
        login_user(current_user._get_current_object())
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("lms/accounts/password.html", form=form), (400 if form.errors else 200)


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if not form.validate_on_submit() or form.language.data not in LOCALES:
        abort(400)
    http_session["lms_language"] = form.language.data
    if current_user.is_authenticated:
        current_user.language = form.language.data
        session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("catalog.index"))


def _account_error(error: services.AccountError) -> str:
    """The translated message for an AccountError raised by a service."""
    messages = {
        "email": _("An account with this e-mail address already exists."),
        "password": _("The password must have at least %(count)d characters.", count=services.MIN_PASSWORD_LENGTH),
        "new_password": _("The password must have at least %(count)d characters.",
                          count=services.MIN_PASSWORD_LENGTH),
        "current_password": _("The current password is not correct."),
        "audience": _("Choose one of the listed audiences."),
        "language": _("Choose one of the listed languages."),
    }
    return messages.get(error.field or "", str(error))
