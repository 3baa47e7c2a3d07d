from __future__ import annotations

import base64
import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concerted.core import receipts
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


RECOVERY_CODES = 8


class TwoFactor(models.Model):
    """A TOTP authenticator (RFC 6238, via pyotp). The shared secret must be readable by
    the server to check codes; recovery codes are kept only as hashes."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed = models.BooleanField(default=False)
    # The last time step accepted: a code seen once is refused again (no replay).
    last_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"two-factor for {self.user}"

    @classmethod
    def start(cls, user: object) -> TwoFactor:
        import pyotp

        obj, _created = cls.objects.update_or_create(
            user=user, defaults={"secret": pyotp.random_base32(), "confirmed": False, "last_step": 0}
        )
        return obj

    def provisioning_uri(self, issuer: str) -> str:
        import pyotp

        return pyotp.TOTP(self.secret).provisioning_uri(name=self.user.get_username(), issuer_name=issuer)  # type: ignore[attr-defined]

    def verify(self, code: str) -> bool:
        """Accept the current code or its neighbour (clock drift), each at most once."""
        import pyotp

        code = "".join(code.split())
        if not (code.isdigit() and len(code) == 6):
            return False
        totp = pyotp.TOTP(self.secret)
        now = timezone.now()
        for drift in (0, -1, 1):
            moment = now + datetime.timedelta(seconds=30 * drift)
            step = totp.timecode(moment)
            if step > self.last_step and totp.verify(code, for_time=moment, valid_window=0):
                # Update only if no concurrent request took the same step first.
                updated = type(self).objects.filter(pk=self.pk, last_step__lt=step).update(last_step=step)
                self.last_step = step
                return bool(updated)
        return False

    def new_recovery_codes(self) -> list[str]:
        """Codes of 80 random bits in base32 groups (ABCD-EFGH-...): written on paper and
        typed back on a phone, so case, spaces, dashes and 0/O-style slips don't matter."""
        RecoveryCode.objects.filter(user=self.user).delete()
        codes = [receipts.display(base64.b32encode(secrets.token_bytes(10)).decode()) for _ in range(RECOVERY_CODES)]
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=self.user, code_hash=code_hash(receipts.normalize(c), "recovery-code")) for c in codes
        )
        return codes

    def use_recovery_code(self, code: str) -> bool:
        # Codes made before they were base32 are mixed-case base64: those match as typed.
        hashes = {code_hash(receipts.normalize(code), "recovery-code"), code_hash(code.strip(), "recovery-code")}
        deleted, _ = RecoveryCode.objects.filter(user=self.user, code_hash__in=hashes).delete()
        return bool(deleted)


class RecoveryCode(models.Model):
    """One-time codes for when the phone is lost. Only the hash is stored; a used code
    is deleted."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return "recovery code"


class OrganizerSession(models.Model):
    """A signed-in browser, as its organizer sees it: a name they chose and the day of
    sign-in. Deliberately no address and no user agent. Deleting the row ends that
    browser's session on its next request (see `middleware.known_sessions`)."""

    id = models.CharField(primary_key=True, max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organizer_sessions")
    name = models.CharField(_("name for this sign-in"), max_length=60)
    day = models.DateField()
    two_factor = models.BooleanField(default=False)

    class Meta:
        ordering = ["-day", "name"]

    def __str__(self) -> str:
        return self.name
