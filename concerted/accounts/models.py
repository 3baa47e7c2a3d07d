from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerted.core.hashing import code_hash, new_code

TOKEN_PREFIX = "cxt_"
TOKEN_DAYS = 30


class ExportToken(models.Model):
    """Lets `concerted reveal` fetch sealed exports for its organizer. Stored as a hash;
    it can download ciphertext only, never open it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_tokens")
    label = models.CharField(_("label"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateField(auto_now_add=True)
    expires = models.DateField()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def issue(cls, user: object, label: str) -> tuple[ExportToken, str]:
        token = TOKEN_PREFIX + new_code(24)
        obj = cls.objects.create(
            user=user,
            label=label,
            token_hash=code_hash(token, "export-token"),
            expires=timezone.now().date() + datetime.timedelta(days=TOKEN_DAYS),
        )
        return obj, token

    @classmethod
    def user_for(cls, token: str) -> object | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        found = (
            cls.objects.select_related("user")
            .filter(token_hash=code_hash(token, "export-token"), expires__gte=timezone.now().date())
            .first()
        )
        return found.user if found and found.user.is_active else None
