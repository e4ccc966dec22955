"""Sign in, sign out, account page, accepting an invitation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from bench import messages
from bench.access import Permission, allow, recent_password, signed_out_only
from bench.auth import service
from bench.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ConfirmPasswordForm,
    NewTokenForm,
    RevokeTokenForm,
    SignInForm,
    SignOutForm,
)
from bench.errors import InvalidInput, NotFound
from bench.limits import limiter
from bench.models import utcnow

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


def _account() -> str:
    # The account asked for, existing or not, so that a limit reveals nothing; confirming
    # the password counts against the signed-in user's own account.
    if current_user.is_authenticated:
        return current_user.email
    return (request.form.get("email") or "").strip().lower()


def _account_key() -> str:
    return "sign-in-account:" + _account()


def _account_and_address_key() -> str:
    return f"sign-in-account-address:{get_remote_address()}:{_account()}"


def _failed(_response: object) -> bool:
    """Only wrong passwords count: never a server error, a database that is down, a
    refused form or an attempt the limits already turned away."""
    return bool(g.get("sign_in_failed"))


# Failures for one account from one address are throttled hard; failures for one account
# from anywhere meet a higher ceiling, so an attacker elsewhere slows guessing down without
# locking the owner out (OWASP ASVS 5.0 V6.3; NIST SP 800-63B 5.2.2). Signing in and
# confirming the password share the counts: a stolen session cookie earns no extra guesses.
PASSWORD_ATTEMPT_LIMITS = (
    limiter.shared_limit(
        lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT_AND_ADDRESS"],
        scope="sign-in-account-address",
        key_func=_account_and_address_key,
        methods=["POST"],
        deduct_when=_failed,
    ),
    limiter.shared_limit(
        lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"],
        scope="sign-in-account",
        key_func=_account_key,
        methods=["POST"],
        deduct_when=_failed,
    ),
    limiter.shared_limit(
        lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"],
        scope="sign-in-address",
        methods=["POST"],
        deduct_when=_failed,
    ),
)


def password_attempts(view: F) -> F:
    """Count the view's failed password attempts against the sign-in limits."""
    for limit in PASSWORD_ATTEMPT_LIMITS:
        view = limit(view)
    return view


def _safe_next(target: str | None) -> str:
    """*target* if it is a path on this site, otherwise home: never another site, however
    the address is dressed up (//evil, /\\evil, https:evil, control characters)."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
            and target.isprintable()
        ):
            return target
    return url_for("home.index")


def _open_session(signed_in: service.SignedIn) -> None:
    session.clear()
    session.permanent = True
    login_user(signed_in.user)


@bp.route("/sign-in", methods=["GET", "POST"])
@signed_out_only
@password_attempts
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    if form.validate_on_submit():
        try:
            signed_in = service.sign_in(form.email.data or "", form.password.data or "")
        except InvalidInput as error:
            g.sign_in_failed = True
            form.email.errors = [error.message]
        else:
            _open_session(signed_in)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/sign_in.html", form=form, title="Sign in")


@bp.route("/account/confirm-password", methods=["GET", "POST"])
@allow(Permission.ANY_SIGNED_IN)
@password_attempts
def confirm_password() -> ResponseReturnValue:
    """The password again, before creating tokens, granting access or managing users;
    then back to the page asked for (on this site only)."""
    form = ConfirmPasswordForm()
    target = _safe_next(request.args.get("next"))
    if form.validate_on_submit():
        try:
            service.reauthenticate(current_user._get_current_object(), form.password.data or "")
        except InvalidInput as error:
            g.sign_in_failed = True
            form.password.errors = [error.message]
        else:
            return redirect(target)
    window = current_app.config["REAUTHENTICATION_WINDOW"]
    return render_template(
        "auth/confirm_password.html",
        form=form,
        reauth_minutes=int(window.total_seconds() // 60),
        title=messages.REAUTH_TITLE,
    )


@bp.route("/sign-out", methods=["POST"])
@allow(Permission.ANY_SIGNED_IN)
def sign_out() -> ResponseReturnValue:
    form = SignOutForm()
    if form.validate_on_submit():
        service.sign_out(current_user._get_current_object())
        logout_user()
        session.clear()
        flash(messages.SIGNED_OUT, "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account")
@allow(Permission.ANY_SIGNED_IN)
def account() -> ResponseReturnValue:
    return render_template("auth/account.html", title="Your account")


@bp.route("/account/password", methods=["GET", "POST"])
@allow(Permission.ANY_SIGNED_IN)
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            signed_in = service.change_password(
                current_user._get_current_object(),
                form.current_password.data or "",
                form.new_password.data or "",
                form.confirm_password.data or "",
            )
        except InvalidInput as error:
            getattr(form, error.field or "new_password").errors = [error.message]
        else:
            _open_session(signed_in)
            flash(messages.PASSWORD_CHANGED, "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form, title="Change your password")


# --- personal API tokens ----------------------------------------------------------

SCOPE_LABELS = {
    "read": ("Read", "Read the catalogue and your authority's values"),
    "publish": ("Read and publish", "Also publish your authority's values and flags"),
    "manage": (
        "Read and manage",
        "Also grant and revoke inspectors' access, and ask for, answer and end allies "
        "(not publish)",
    ),
    "record": (
        "Read and record",
        "Also record reviews, visits, notes, follow-up actions and staff views (not publish "
        "or manage)",
    ),
}


@bp.route("/account/tokens")
@allow(Permission.ANY_SIGNED_IN)
def tokens() -> ResponseReturnValue:
    return render_template(
        "auth/tokens.html",
        tokens=service.list_tokens(current_user._get_current_object()),
        form=RevokeTokenForm(),
        scope_labels=SCOPE_LABELS,
        now=utcnow(),
        title="API tokens",
    )


@bp.route("/account/tokens/new", methods=["GET", "POST"])
@allow(Permission.ANY_SIGNED_IN)
@recent_password()
def new_token() -> ResponseReturnValue:
    user = current_user._get_current_object()
    form = NewTokenForm()
    form.scope.choices = [
        (scope.value, SCOPE_LABELS[scope.value][0]) for scope in service.token_scopes(user)
    ]
    if form.validate_on_submit():
        days = form.expires_in_days.data
        try:
            issued = service.create_token(
                user,
                name=form.name.data or "",
                scope=form.scope.data or "",
                expires_in_days=int(days) if days else None,
            )
        except InvalidInput as error:
            getattr(form, error.field or "name").errors = [error.message]
        else:
            # The secret goes into this response only: never a redirect, URL or flash.
            return render_template(
                "auth/token_created.html",
                issued=issued,
                scope_labels=SCOPE_LABELS,
                title="Your new API token",
            )
    scope_items = [{"hint": {"text": SCOPE_LABELS[value][1]}} for value, _ in form.scope.choices]
    return render_template(
        "auth/new_token.html", form=form, scope_items=scope_items, title="Create an API token"
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@allow(Permission.ANY_SIGNED_IN)
def revoke_token(token_id: int) -> ResponseReturnValue:
    form = RevokeTokenForm()
    if form.validate_on_submit():
        token = service.revoke_token(current_user._get_current_object(), token_id)
        flash(messages.TOKEN_REVOKED.format(name=token.name), "success")
    return redirect(url_for("auth.tokens"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@signed_out_only
def accept_invitation(token: str) -> ResponseReturnValue:
    try:
        invitation = service.open_invitation(token)
    except NotFound:
        return render_template(
            "auth/invitation_invalid.html", title="This invitation link is not valid"
        ), 404
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            signed_in = service.accept_invitation(
                token, form.password.data or "", form.confirm_password.data or ""
            )
        except InvalidInput as error:
            getattr(form, error.field or "password").errors = [error.message]
        else:
            _open_session(signed_in)
            flash(messages.INVITATION_ACCEPTED, "success")
            return redirect(url_for("home.index"))
    return render_template(
        "auth/accept_invitation.html",
        form=form,
        invitation=invitation,
        title="Create your account",
    )
