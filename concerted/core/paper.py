"""The paper every PDF is laid out on: A4 or US Letter.

One installation setting (CONCERTED_PAPER, settings.PAPER) says which; every PDF maker
asks `page_size()` here rather than naming a size itself, so a committee in Lisbon gets
A4 everywhere and one in Chicago Letter. A Letter PDF printed on A4 is shrunk or clipped,
and a QR code clipped at the foot of a flyer is a flyer that doesn't work. Where an
organizer may print elsewhere (a copy shop with the other size), the page that makes the
PDF offers both, the installation's preselected (`form_field()`).

Kept free of reportlab and django.forms at import: settings.py reads `for_zone()`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django import forms

A4 = "a4"
LETTER = "letter"
_POINT_MM = 72 / 25.4  # PDF points in a millimetre
# (width, height) in PDF points, portrait: the same numbers as reportlab's A4 and LETTER.
SIZES: dict[str, tuple[float, float]] = {
    A4: (210 * _POINT_MM, 297 * _POINT_MM),
    LETTER: (8.5 * 72, 11 * 72),
}
NAMES = tuple(SIZES)

# Time zones of countries that print on US Letter: the United States (with Puerto Rico
# and its Pacific territories), Canada, Mexico, Chile, Colombia, Venezuela and the
# Philippines. An explicit list, not /usr/share/zoneinfo/zone.tab: that file comes with
# the system's tzdata package, which a slim container may lack, and the default must not
# change with what happens to be installed. A zone missing here defaults to A4, and
# CONCERTED_PAPER settles it either way.
LETTER_ZONE_PREFIXES = (
    "America/Indiana/",
    "America/Kentucky/",
    "America/North_Dakota/",
    "US/",
    "Canada/",
    "Mexico/",
    "Chile/",
)
LETTER_ZONES = frozenset(
    {
        # United States
        "America/New_York", "America/Detroit", "America/Chicago", "America/Menominee",
        "America/Denver", "America/Boise", "America/Phoenix", "America/Los_Angeles",
        "America/Anchorage", "America/Juneau", "America/Sitka", "America/Yakutat",
        "America/Nome", "America/Metlakatla", "America/Adak", "America/Indianapolis",
        "America/Fort_Wayne", "America/Knox_IN", "America/Louisville", "America/Shiprock",
        "America/Atka", "Navajo", "Pacific/Honolulu", "Pacific/Johnston",
        "EST5EDT", "CST6CDT", "MST7MDT", "PST8PDT",
        # Puerto Rico, the US Virgin Islands, Guam, the Northern Marianas, American Samoa
        "America/Puerto_Rico", "America/St_Thomas", "America/Virgin",
        "Pacific/Guam", "Pacific/Saipan", "Pacific/Pago_Pago", "Pacific/Samoa",
        # Canada
        "America/St_Johns", "America/Halifax", "America/Glace_Bay", "America/Moncton",
        "America/Goose_Bay", "America/Toronto", "America/Montreal", "America/Nipigon",
        "America/Thunder_Bay", "America/Iqaluit", "America/Pangnirtung", "America/Atikokan",
        "America/Coral_Harbour", "America/Blanc-Sablon", "America/Winnipeg", "America/Rainy_River",
        "America/Rankin_Inlet", "America/Resolute", "America/Regina", "America/Swift_Current",
        "America/Edmonton", "America/Cambridge_Bay", "America/Yellowknife", "America/Inuvik",
        "America/Creston", "America/Dawson_Creek", "America/Fort_Nelson", "America/Whitehorse",
        "America/Dawson", "America/Vancouver",
        # Mexico
        "America/Mexico_City", "America/Cancun", "America/Merida", "America/Monterrey",
        "America/Matamoros", "America/Chihuahua", "America/Ciudad_Juarez", "America/Ojinaga",
        "America/Mazatlan", "America/Bahia_Banderas", "America/Hermosillo", "America/Tijuana",
        "America/Ensenada", "America/Santa_Isabel",
        # Chile, Colombia, Venezuela, the Philippines
        "America/Santiago", "America/Punta_Arenas", "America/Coyhaique", "Pacific/Easter",
        "America/Bogota", "America/Caracas", "Asia/Manila",
    }
)  # fmt: skip
# No zone, or UTC: an installation that never said where it is. It keeps the Letter every
# PDF had before this setting existed.
UNPLACED_ZONES = frozenset({"", "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})


def for_zone(zone: str) -> str:
    """The paper a place in this time zone prints on: Letter in the countries above and
    when the zone says nothing about the place (unset, UTC), A4 everywhere else."""
    if zone in UNPLACED_ZONES or zone in LETTER_ZONES or zone.startswith(LETTER_ZONE_PREFIXES):
        return LETTER
    return A4


def default() -> str:
    """The installation's paper (CONCERTED_PAPER, or what its time zone implies)."""
    from django.conf import settings

    return str(getattr(settings, "PAPER", LETTER))


def page_size(name: str | None = None) -> tuple[float, float]:
    """(width, height) in PDF points, portrait, of the named paper (default: the
    installation's). An unknown name is a programming error: forms refuse it first."""
    try:
        return SIZES[name or default()]
    except KeyError:
        raise ValueError(f"unknown paper size {name!r}: one of {', '.join(NAMES)}") from None


def label(name: str | None = None) -> str:
    """The paper as the organizer knows it: "A4", "US Letter" (translated)."""
    return str(dict(choices())[name or default()])


def choices() -> list[tuple[str, Any]]:
    # Translators: paper sizes offered for printing a PDF.
    return [(LETTER, gettext_lazy("US Letter")), (A4, gettext_lazy("A4"))]


def form_field(**kwargs: Any) -> forms.ChoiceField:
    """The paper as a labelled choice (a select, like every other on these pages), the
    installation's preselected: read each time a form is made, not once at import."""
    from django import forms

    kwargs.setdefault("label", gettext_lazy("Paper"))
    kwargs.setdefault(
        "error_messages",
        {
            "required": gettext_lazy("Choose the paper you will print on: A4 or US Letter."),
            "invalid_choice": gettext_lazy("Choose the paper you will print on: A4 or US Letter."),
        },
    )
    return forms.ChoiceField(choices=choices, initial=default, **kwargs)
