from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from concerted.core.ratelimit import account_is_limited, login_address_limit, login_period_seconds

from .models import ExportToken


@method_decorator(login_address_limit, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

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
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


class TokenForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("What is it for?"), max_length=100, initial="laptop")


@login_required
@require_http_methods(["GET", "POST"])
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
    get_object_or_404(ExportToken, pk=token_id, user=request.user).delete()
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
