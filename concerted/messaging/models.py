"""A committee message: composed on the server, addressed and sent from the organizer's
machine (`concerted send`).

What the server keeps is only what it must: message N was prepared for audience X on
day D and, once the sender reports it, how many were sent (and on which day). No row
per recipient, no address, no delivery status of anyone."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from concerted.campaigns.models import Campaign
from concerted.core.days import today


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    audience = models.CharField(_("audience"), max_length=40)  # core.audiences name
    audience_parent = models.CharField(max_length=64)  # the petition, pledge or unit id
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=20000)
    text = models.TextField(
        _("plain-text version (optional)"),
        max_length=20000,
        blank=True,
        help_text=_("For mail programs that show no formatting. Left empty, it is made from the message."),
    )
    prepared_on = models.DateField(default=today, editable=False)
    sent_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    reported_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-prepared_on", "subject"]

    def __str__(self) -> str:
        return self.subject

    def report_sent(self, count: int) -> None:
        """The sender's count of messages handed to the mail server (a total, so a run
        that was resumed reports the same number again, never a sum)."""
        self.sent_count = max(0, count)
        self.reported_on = today()
        self.save(update_fields=["sent_count", "reported_on"])
