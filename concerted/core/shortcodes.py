import secrets

# No 0/O, 1/I/L: codes get read off paper and typed on phones.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def short_slug(length: int = 7) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
