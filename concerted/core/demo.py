"""Demo data for `make run`: each domain app registers a loader in its AppConfig.ready().

A loader gets the demo campaign, the demo private key (so it can seal records the
demo organizer can open) and a shared random generator; it returns lines to print."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nacl.public import PrivateKey


@dataclass
class DemoContext:
    campaign: Any
    organizer: Any
    private_key: PrivateKey
    rng: random.Random
    base_url: str


Loader = Callable[[DemoContext], list[str]]
_loaders: list[tuple[int, str, Loader]] = []


def register(order: int, name: str, loader: Loader) -> None:
    if all(n != name for _o, n, _l in _loaders):
        _loaders.append((order, name, loader))


def loaders() -> list[tuple[str, Loader]]:
    return [(name, loader) for _order, name, loader in sorted(_loaders, key=lambda x: x[0])]


FIRST_NAMES = [
    "Amara",
    "Bo",
    "Carmen",
    "Dev",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kwame",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
]
LAST_NAMES = [
    "Adeyemi",
    "Berg",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rahman",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
]


def fake_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
