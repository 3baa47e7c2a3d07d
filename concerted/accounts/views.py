from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from concerted.core import confirm
from concerted.core.ratelimit import account_is_limited, login_address_limit, login_period_seconds, public_post_limit

from . import sessions
from .models import ExportToken, OrganizerSession, TwoFactor

PENDING_USER = "concerted_2fa_user"
PENDING_BACKEND = "concerted_2fa_backend"
PENDING_NEXT = "concerted_2fa_next"
PENDING_TRIES = "concerted_2fa_tries"
MAX_CODE_TRIES = 5


class SignInForm(AuthenticationForm):
    session_name = forms.CharField(
        label=gettext_lazy("Name this sign-in"),
        max_length=60,
        required=False,
        help_text=gettext_lazy(
            "So you can recognize it in your list of sessions, e.g. “home laptop”. Nothing about your browser "
            "or address is recorded."
        ),
    )


@method_decorator(login_address_limit, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    form_class = SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # A new installation has nobody to sign in as, and the page was the only place a
        # first organizer looked. It says only that the server is unused so far.
        context["no_organizer_yet"] = not get_user_model().objects.exists()
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        self.request.session[sessions.PENDING_NAME] = form.cleaned_data.get("session_name", "")
        two_factor = TwoFactor.objects.filter(user=user, confirmed=True).first()
        if two_factor is None:
            return super().form_valid(form)
        # The password was right; the session is not signed in until the code is.
        self.request.session[PENDING_USER] = user.pk
        self.request.session[PENDING_BACKEND] = user.backend  # type: ignore[attr-defined]
        self.request.session[PENDING_NEXT] = self.get_success_url()
        self.request.session[PENDING_TRIES] = 0
        return redirect("accounts:login_code")

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        # Per account, whatever the address: a password guesser spread over many
        # addresses (or Tor circuits) still gets CONCERTED_LOGIN_RATE tries, no more.
        if account_is_limited(request):
            form = self.get_form()
            form.cleaned_data = {}
            form.add_error(
                None,
                _(
                    "Too many sign-in attempts for this account. Nothing was checked: "
                    "wait %(minutes)d minutes and try again, or ask another organizer."
                )
                % {"minutes": max(1, login_period_seconds() // 60)},
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(login_period_seconds())
            return response
        return super().post(request, *args, **kwargs)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a recovery code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@public_post_limit
def login_code(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_USER)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    two_factor = TwoFactor.objects.filter(user=user, confirmed=True).first() if user else None
    if user is None or two_factor is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if two_factor.verify(code) or two_factor.use_recovery_code(code):
            next_url = request.session.pop(PENDING_NEXT, "")
            backend = request.session.pop(PENDING_BACKEND, None)
            for key in (PENDING_USER, PENDING_TRIES):
                request.session.pop(key, None)
            request.session[sessions.PENDING_TWO_FACTOR] = True
            login(request, user, backend=backend)
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = ""
            return redirect(next_url or "campaigns:list")
        request.session[PENDING_TRIES] = request.session.get(PENDING_TRIES, 0) + 1
        if request.session[PENDING_TRIES] >= MAX_CODE_TRIES:
            for key in (PENDING_USER, PENDING_BACKEND, PENDING_NEXT, PENDING_TRIES):
                request.session.pop(key, None)
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("accounts:login")
        form.add_error("code", _("That code is not right. Check the clock on your phone, or use a recovery code."))
    return render(request, "accounts/login_code.html", {"form": form}, status=400 if form.errors else 200)


class TokenForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("What is it for?"), max_length=100, initial=gettext_lazy("laptop"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _obj, new_token = ExportToken.issue(request.user, form.cleaned_data["label"])
        form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": request.user.export_tokens.all(), "new_token": new_token},  # type: ignore[attr-defined]
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ExportToken, pk=token_id, user=request.user)
    if not confirm.confirmed(request):
        return confirm.ask(
            request,
            title=_("Revoke the token “%(label)s”?") % {"label": token.label},
            consequences=[
                _("concerted reveal on the computer that uses it can no longer fetch sealed records."),
                _("A revoked token can't be restored; make a new one if you need it again."),
            ],
            confirm_label=_("Yes, revoke it"),
            cancel_url=reverse("accounts:tokens"),
        )
    token.delete()
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("6-digit code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in on (scan, confirm with a code, keep the recovery codes),
    make new recovery codes, or turn it off (needs a current code)."""
    user = request.user
    current = TwoFactor.objects.filter(user=user).first()
    form = ConfirmCodeForm(request.POST or None)
    recovery_codes: list[str] = []
    action = request.POST.get("action", "")
    if request.method == "POST":
        if action == "start":
            current = TwoFactor.start(user)
            form = ConfirmCodeForm()
        elif current is None:
            messages.error(request, _("Start by scanning a new code."))
            return redirect("accounts:two_factor")
        elif form.is_valid() and current.verify(form.cleaned_data["code"]):
            if action == "confirm" and not current.confirmed:
                current.confirmed = True
                current.save(update_fields=["confirmed"])
                recovery_codes = current.new_recovery_codes()
                sessions.mark_two_factor(request)
                messages.success(request, _("Two-factor sign-in is on."))
                form = ConfirmCodeForm()
            elif action == "recovery" and current.confirmed:
                recovery_codes = current.new_recovery_codes()
                form = ConfirmCodeForm()
            elif action == "off" and current.confirmed:
                if any(m.campaign.require_two_factor for m in user.memberships.select_related("campaign")):  # type: ignore[attr-defined]
                    form.add_error(None, _("A campaign you organize requires two-factor sign-in; it stays on."))
                else:
                    current.delete()
                    user.recovery_codes.all().delete()  # type: ignore[attr-defined]
                    messages.success(request, _("Two-factor sign-in is off."))
                    return redirect("accounts:two_factor")
        elif form.is_valid():
            form.add_error("code", _("That code is not right. Check the clock on your phone and try the next one."))
    pending = current is not None and not current.confirmed
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "enabled": current is not None and current.confirmed,
            "pending": pending,
            "secret": current.secret if pending else "",
            "qr": _qr_data_uri(current.provisioning_uri("Concerted")) if pending else "",
            "recovery_codes": recovery_codes,
            "session_verified": sessions.session_has_two_factor(request),
        },
        status=400 if form.errors else 200,
    )


class SessionNameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of this sign-in"), max_length=60)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_list(request: HttpRequest) -> HttpResponse:
    current_id = request.session.get(sessions.SID)
    current = OrganizerSession.objects.filter(pk=current_id, user=request.user).first()
    form = SessionNameForm(request.POST or None, initial={"name": current.name if current else ""})
    if request.method == "POST" and form.is_valid() and current is not None:
        current.name = form.cleaned_data["name"]
        current.save(update_fields=["name"])
        messages.success(request, _("Renamed."))
        return redirect("accounts:sessions")
    others = OrganizerSession.objects.filter(user=request.user).exclude(pk=current_id)
    return render(
        request,
        "accounts/sessions.html",
        {"form": form, "current": current, "others": others},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: str) -> HttpResponse:
    """Ends another of your sessions (the row id is not the session cookie, so it grants
    nothing by itself); "others" ends every session but this one."""
    current_id = request.session.get(sessions.SID)
    others = OrganizerSession.objects.filter(user=request.user).exclude(pk=current_id)
    if session_id != "others":
        others = others.filter(pk=session_id)
    if not others.delete()[0] and session_id != "others":
        raise Http404
    messages.success(request, _("Signed out there."))
    return redirect("accounts:sessions")
