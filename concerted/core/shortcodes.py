import secrets
from collections.abc import Callable

# No 0/O, 1/I/L: codes get read off paper and typed on phones.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def short_slug(length: int = 7) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


# Short-code lookup for the home page's "open by code" field. Each domain app that has
# public pages registers a function code -> public path (or None); core never imports
# them. There is deliberately no listing: only someone who has the code gets the page.
Opener = Callable[[str], "str | None"]
_openers: list[Opener] = []


def register_opener(opener: Opener) -> None:
    if opener not in _openers:
        _openers.append(opener)


def normalize(text: str) -> str:
    """What people type: the code, or the whole address from the flyer."""
    text = text.strip().lower()
    parts = [p for p in text.split("?")[0].split("/") if p]
    return parts[-1] if parts else ""


def open_code(text: str) -> str | None:
    code = normalize(text)
    if not code or len(code) > 16 or any(ch not in ALPHABET for ch in code):
        return None
    for opener in _openers:
        if path := opener(code):
            return path
    return None
