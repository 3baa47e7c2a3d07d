"""The app's URLs plus one view that fails, for the log drill (a 500 inside a view)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from concerted.urls import handler400, handler403, handler404, handler500  # noqa: F401
from concerted.urls import urlpatterns as app_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    # A library error whose text carries the peer, as socket and database errors do.
    raise RuntimeError(f"view failed for peer {request.META.get('REMOTE_ADDR')}")


urlpatterns = [path("boom/", boom), *app_urlpatterns]
