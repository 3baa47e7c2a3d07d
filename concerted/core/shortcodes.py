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


def candidates(text: str) -> list[str]:
    """What people type (the code, or the whole address from the flyer): the parts that
    could be a code, the last first, since an address may end in a page's name
    (`/b/<code>/vote/`) rather than in the code."""
    parts = [p for p in text.strip().lower().split("?")[0].split("/") if p]
    return [p for p in reversed(parts[-3:]) if len(p) <= 16 and all(ch in ALPHABET for ch in p)]


def open_code(text: str) -> str | None:
    for code in candidates(text):
        for opener in _openers:
            if path := opener(code):
                return path
    return None
