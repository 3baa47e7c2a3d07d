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

from concerted.core.ratelimit import public_post_limit

from .models import ExportToken


@method_decorator(public_post_limit, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


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
