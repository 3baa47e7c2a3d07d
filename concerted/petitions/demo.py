from __future__ import annotations

import datetime

from django.urls import reverse

from concerted.core.demo import DemoContext, fake_name
from concerted.core.receipts import new_receipt

from .models import Petition, Signature

TRANSLATIONS = {
    "es": {
        "title": "Fin del rastreo de teclado y ratón en Acme",
        "body": (
            "Desde marzo, un programa en nuestros portátiles de trabajo registra cada pulsación y cada movimiento "
            "del ratón, y Acme dice que esas grabaciones entrenarán a agentes de IA para hacer nuestro trabajo.\n\n"
            "Pedimos a Acme que desactive el rastreo, borre lo que ha grabado y acepte que una persona tome la "
            "decisión final sobre cualquier IA que afecte a nuestro trabajo."
        ),
        "addressee": "Dirección de Acme Corp.",
    },
    "de": {
        "title": "Schluss mit der Tastatur- und Mausüberwachung bei Acme",
        "body": (
            "Seit März zeichnet eine Software auf unseren Dienstlaptops jeden Tastenanschlag und jede Mausbewegung "
            "auf, und Acme sagt, die Aufzeichnungen sollen KI-Agenten trainieren, die unsere Arbeit übernehmen.\n\n"
            "Wir fordern Acme auf, die Überwachung abzuschalten, das Aufgezeichnete zu löschen und zuzusichern, "
            "dass ein Mensch die letzte Entscheidung über jede KI trifft, die unsere Arbeit betrifft."
        ),
        "addressee": "Geschäftsführung der Acme Corp.",
    },
    "pt": {
        "title": "Fim da monitorização do teclado e do rato na Acme",
        "body": (
            "Desde março, um programa nos nossos portáteis de trabalho regista cada tecla premida e cada movimento "
            "do rato, e a Acme diz que essas gravações vão treinar agentes de IA para fazer o nosso trabalho.\n\n"
            "Pedimos à Acme que desligue a monitorização, apague o que gravou e aceite que uma pessoa tome a "
            "decisão final sobre qualquer IA que afete o nosso trabalho."
        ),
        "addressee": "Administração da Acme Corp.",
    },
}


def load(ctx: DemoContext) -> list[str]:
    campaign = ctx.campaign
    petition = Petition.objects.create(
        campaign=campaign,
        title="End keystroke and mouse tracking at Acme",
        body=(
            "Since March, software on our work laptops records every keystroke and mouse movement, "
            "and Acme says the recordings will train AI agents to do our jobs.\n\n"
            "We ask Acme to switch the tracking off, delete what it has recorded, and agree that a human "
            "makes the final decision on any AI that affects our work."
        ),
        addressee="Acme Corp. management",
        goal_percent=30,
        segment_kind="team",
        status=Petition.Status.OPEN,
    )
    # The demo unit is in Berlin, Lisbon and remote: the petition in each of their languages.
    for language, text in TRANSLATIONS.items():
        petition.set_translation(language, text)
    petition.save(update_fields=["translations"])
    teams = list(petition.segments())
    today = datetime.date.today()
    for i in range(48):
        signature = Signature(
            petition=petition,
            receipt_hash=new_receipt()[1],
            segment=ctx.rng.choice([*teams, None]),
            day=today - datetime.timedelta(days=ctx.rng.randint(0, 9)),
        )
        contact = f"demo{i}@example.org"
        signature.seal_data(
            {
                "name": fake_name(ctx.rng),
                "contact": contact,
                "comment": ctx.rng.choice(["", "", "Count me in.", "It tracks bathroom breaks too."]),
                "consent_named": ctx.rng.random() < 0.6,
                "day": signature.day.isoformat(),
            }
        )
        signature.save(force_insert=True)
    return [
        f"petition '{petition.title}' with 48 sealed signatures (also in Spanish, German and Portuguese): "
        f"{ctx.base_url}{reverse('petitions:sign', args=[petition.slug])}"
    ]
