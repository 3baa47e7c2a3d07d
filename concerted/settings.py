"""Concerted settings: every value comes from the environment, read through small
helpers that refuse a bad value loudly (ImproperlyConfigured) instead of guessing."""

from __future__ import annotations

import os
import tempfile
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_time_zone(name: str, default: str = "UTC") -> str:
    """An IANA time zone name ("Europe/Berlin"), refused unless this machine knows it:
    Django would otherwise stop with a bare ValueError, or a typo would go unnoticed."""
    raw = os.environ.get(name, "").strip() or default
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe", a folder
        raise ImproperlyConfigured(
            f"{name} must be a time zone name like Europe/Berlin or America/Chicago "
            f"(timedatectl list-timezones lists them), got {raw!r}"
        ) from None
    return raw


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of a few words ("a4"), in any case; anything else is refused with the words
    it may be, rather than quietly replaced by the default."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw.lower()


def env_rate(name: str, default: str, off_when_empty: bool = False) -> str:
    """A django-ratelimit rate ("20/10m": 20 per 10 minutes), checked here because the
    limiter only parses it on the first POST: "lots" would start fine and then fail every
    sign-in and every signature. Checked with the limiter's own pattern, matched whole
    (the limiter matches only a prefix, so it reads "20/10M" as 20 per 10 seconds), with
    the unit required ("20/10" is 20 per 10 seconds, never what was meant) and a period
    longer than zero (the limiter refuses "20/0m" on every request). Empty: the default,
    or "" (no limit) where `off_when_empty` says so."""
    from django_ratelimit.core import _split_rate, rate_re

    raw = os.environ.get(name, "").strip()
    if not raw:
        return "" if off_when_empty and name in os.environ else default
    match = rate_re.fullmatch(raw)
    if match is None or match.group(3) is None or _split_rate(raw)[1] <= 0:
        raise ImproperlyConfigured(
            f"{name} must be a rate like 20/10m (20 per 10 minutes; the unit is s, m, h or d, "
            f"e.g. 12000/m or 100/1h), got {raw!r}"
        )
    return raw


def env_public_url(name: str, default: str) -> str:
    """The address printed on every flyer: scheme://host[:port], with at most a trailing
    "/". Links are built by appending a path to it (concerted/core/public.py), so a path,
    a query or a fragment here would break every QR code; a user name would be printed on
    paper; a space makes no address at all."""
    raw = os.environ.get(name, default).strip()
    url = raw[:-1] if raw.endswith("/") else raw
    parts = urlsplit(url)
    try:
        port_ok = parts.port is not None or not parts.netloc.endswith(":")
    except ValueError:  # not a number, or above 65535
        port_ok = False
    if not (
        raw.startswith(("http://", "https://"))
        and parts.hostname
        and port_ok
        and not (parts.path or parts.query or parts.fragment or "?" in url or "#" in url)
        and "@" not in parts.netloc
        and not any(ch.isspace() for ch in url)
    ):
        raise ImproperlyConfigured(
            f"{name} must start with http:// or https:// and be only the scheme, the host and an optional "
            f":port, like https://petition.example.org (no path, ?query, #fragment, user name or space), "
            f"got {raw!r}"
        )
    return url


# Where the embedded database, the secret key and the invite-code key live.
DATA_DIR = Path(env_str("CONCERTED_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("CONCERTED_DEBUG", False)
# HTTPS deployments turn this on: secure cookies, HSTS, SSL redirect.
HTTPS = env_bool("CONCERTED_HTTPS", False)

# Signs sessions and CSRF tokens. Never a constant: without CONCERTED_SECRET_KEY a random
# key is made on first start in the data folder (0600) and kept there, so organizers stay
# signed in across restarts and every installation has its own.
SECRET_KEY = env_str("CONCERTED_SECRET_KEY")
SECRET_KEY_FILE = Path(env_str("CONCERTED_SECRET_KEY_FILE", str(DATA_DIR / "secret.key")))
# `concerted reveal`, `send`, `election ...`, `verify-election` and the others in
# cli.OWN_MACHINE_COMMANDS run on organizers', trustees' and members' own computers, not
# on the server (concerted/cli.py sets this for them). They sign no session and serve no
# file, so their key lives in memory only and they make no data folder: a laptop keeps
# nothing but the files the command was asked to write.
OWN_MACHINE = os.environ.get("CONCERTED_OWN_MACHINE") == "1"
if not OWN_MACHINE and DATA_DIR.exists() and not DATA_DIR.is_dir():
    raise ImproperlyConfigured(f"CONCERTED_DATA_DIR must be a folder, but {DATA_DIR} is a file")
if not OWN_MACHINE and not DATA_DIR.exists():
    # Made here, owner only: the embedded database is created 0644 by SQLite, and inside a
    # folder made with the usual 0755 anyone with a login on the machine could copy it.
    try:
        DATA_DIR.mkdir(mode=0o700, parents=True)
    except OSError as exc:  # a file on the way, no permission, a read-only disk
        raise ImproperlyConfigured(
            f"CONCERTED_DATA_DIR: the data folder {DATA_DIR} can't be created ({exc.strerror or exc})"
        ) from None
if not SECRET_KEY and OWN_MACHINE:
    import secrets

    SECRET_KEY = secrets.token_hex(32)
if not SECRET_KEY:
    from concerted.core.keyfile import read_or_create

    try:
        SECRET_KEY = read_or_create(SECRET_KEY_FILE)
    except OSError as exc:  # a folder, a file it may not read, a folder it may not write
        _variable = "CONCERTED_SECRET_KEY_FILE" if os.environ.get("CONCERTED_SECRET_KEY_FILE") else "CONCERTED_DATA_DIR"
        raise ImproperlyConfigured(
            f"{_variable}: the secret key file {SECRET_KEY_FILE} can't be read or made ({exc.strerror or exc})"
        ) from None
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("CONCERTED_SECRET_KEY must be at least 50 random characters")

ALLOWED_HOSTS = env_list("CONCERTED_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CONCERTED_CSRF_TRUSTED_ORIGINS")

# The address printed in QR codes and receipts: a domain or an onion address.
PUBLIC_BASE_URL = env_public_url("CONCERTED_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, so concerted/templates can override select options
    "concerted.core",
    "concerted.accounts",
    "concerted.campaigns",
    "concerted.petitions",
    "concerted.invites",
    "concerted.pledges",
    "concerted.flyers",
    "concerted.surveys",
    "concerted.cards",
    "concerted.bargaining",
    "concerted.elections",
    "concerted.messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "concerted.core.middleware.privacy_headers",
    "concerted.core.middleware.ConstantCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "concerted.core.middleware.UrlLanguageMiddleware",
    "concerted.core.middleware.method_not_allowed_page",
    "django.middleware.common.CommonMiddleware",
    "concerted.core.csrf.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "concerted.accounts.sessions.known_sessions",
    "concerted.accounts.sessions.signed_out_post",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

# Django's W003 looks for its own CSRF middleware by name; ours subclasses it (see
# concerted/core/csrf.py) and concerted.core.checks verifies it is installed.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

ROOT_URLCONF = "concerted.urls"
# Form widgets render through the template engine: concerted/templates/django/forms/
# replaces Django's "---------" empty option with words.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "concerted.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "concerted" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    import dj_database_url

    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if DATABASES["default"]["ENGINE"] not in (
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    ):
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL or SQLite")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "concerted.sqlite3",
            # Each server thread keeps its connection, as with PostgreSQL above: opening
            # one (the file, the pragmas below) cost more CPU than the rest of a cached
            # sign page (bench/profile_sign.py). An idle connection holds no read
            # transaction, so it blocks neither writers nor erase's WAL truncation.
            "CONN_MAX_AGE": 60,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + synchronous=FULL: a commit that returned is on disk, so an acknowledged
    # signature survives kill -9 and power loss. secure_delete overwrites deleted rows
    # (withdrawn signatures, lapsed pledges) instead of leaving them in free pages.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    # Tests use a real file (per process, so parallel runs don't collide) so that the
    # raw-byte leak checks read an actual database file and its WAL.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(Path(tempfile.gettempdir()) / f"concerted-test-{os.getpid()}.sqlite3")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Passwords and sessions ------------------------------------------------------------
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "campaigns:list"
LOGOUT_REDIRECT_URL = "home"

# Organizer sessions end after 30 idle minutes and when the browser closes.
SESSION_COOKIE_AGE = env_int("CONCERTED_SESSION_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
# The CSRF cookie is the only cookie a participant ever gets: browser-session only.
CSRF_COOKIE_AGE = None
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "concerted.core.views.csrf_failure"

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 63072000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("CONCERTED_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy: nothing inline, nothing from another origin ---------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}

# --- Rate limits: counters in memory only, keyed by a keyed hash ---------------------------
# CONCERTED_RATELIMIT_MEMCACHED=host:port shares the counters between every app process
# through a memcached (memory only: it keeps nothing on disk). Unset, each process counts
# on its own, so serve with ONE worker process (see concerted/gunicorn_conf.py and the
# concerted.E010 check). Never a database or file cache: counters would reach the disk.
RATELIMIT_MEMCACHED = env_str("CONCERTED_RATELIMIT_MEMCACHED")
if RATELIMIT_MEMCACHED:
    _host, _sep, _port = RATELIMIT_MEMCACHED.rpartition(":")
    if not _sep or not _host or not _port.isdigit():
        raise ImproperlyConfigured(f"CONCERTED_RATELIMIT_MEMCACHED must be host:port, got {RATELIMIT_MEMCACHED!r}")
    _ratelimit_cache = {
        # Django's PyMemcacheCache, keeping its connection between requests.
        "BACKEND": "concerted.core.ratelimit.MemcachedCache",
        "LOCATION": RATELIMIT_MEMCACHED,
        "KEY_PREFIX": "concerted-rl",
        # A memcached that is down must not take the sign page with it (django-ratelimit
        # then lets requests through: RATELIMIT_FAIL_OPEN).
        "OPTIONS": {"connect_timeout": 1, "timeout": 1, "no_delay": True, "ignore_exc": True},
    }
else:
    _ratelimit_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "concerted-rl"}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "concerted"},
    "ratelimit": _ratelimit_cache,
    # Participant form pages as every cookieless visitor sees them (with a placeholder
    # for the CSRF token) and group choices: nothing about any one visitor, in this
    # process's memory only (concerted/core/pagecache.py).
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "concerted-pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True
RATELIMIT_ENABLE = env_bool("CONCERTED_RATELIMIT", True)
RATELIMIT_VIEW = "concerted.core.views.rate_limited"
PUBLIC_POST_RATE = env_rate("CONCERTED_PUBLIC_POST_RATE", "20/10m")
# Casting (and spoiling) an election ballot, per client address: a membership meeting
# votes from one hall Wi-Fi, i.e. one address, so 20 would stop it after 20 members.
# Every ballot carries a signature by an eligible voting code, so a stranger's flood
# costs the server a signature check per post and adds nothing.
BALLOT_POST_RATE = env_rate("CONCERTED_BALLOT_POST_RATE", "300/10m")
# Organizer sign-in: per client address and, separately, per account name.
LOGIN_RATE = env_rate("CONCERTED_LOGIN_RATE", "10/15m")
# Behind a trusted proxy: the request header that carries the client (e.g. X-Forwarded-For,
# or X-Tor-Circuit for an onion service whose proxy gets Tor's circuit id). Unset: the
# connection's own address (REMOTE_ADDR). Only ever set it when a proxy you run sets it.
CLIENT_IP_HEADER = env_str("CONCERTED_CLIENT_IP_HEADER")
if CLIENT_IP_HEADER and not all(ch.isalnum() or ch == "-" for ch in CLIENT_IP_HEADER):
    raise ImproperlyConfigured(f"CONCERTED_CLIENT_IP_HEADER must be a header name, got {CLIENT_IP_HEADER!r}")
# A ceiling on public POSTs from all clients together (a flood from many addresses or
# onion circuits still hits it), counted where the per-client counters are: in the shared
# memcached, so across every app server; without one, per process. Empty switches it off.
# The default, 200 a second, is twice the launch burst the bench serves (a flyer: 100
# signers a second for a minute, docs/PERFORMANCE.md) so a real launch is never refused,
# and about what a 2-core server can sign at all, so a flood is shed before it queues
# behind the workers. (600 a minute refused such a launch after 6 seconds.)
GLOBAL_POST_RATE = env_rate("CONCERTED_GLOBAL_POST_RATE", "12000/m", off_when_empty=True)

# --- I18n -------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Each language names itself in the switch (a reader who can't read the current language
# must still find their own), so these are not marked for translation.
LANGUAGES = [("en", "English"), ("es", "Español"), ("de", "Deutsch"), ("pt", "Português")]
LOCALE_PATHS = [BASE_DIR / "concerted" / "locale"]
USE_I18N = True
# Dates in each language's own format ("1 de diciembre de 2026"); English keeps "1 December 2026".
FORMAT_MODULE_PATH = ["concerted.formats"]
# The installation's time zone: release moments are scheduled and shown in it ("08:00"
# means 08:00 there, summer and winter). Participant actions are still stored with the
# UTC day (concerted/core/days.py), whatever this says.
TIME_ZONE = env_time_zone("CONCERTED_TIME_ZONE", "UTC")
# The paper every PDF is laid out on (flyers, the petition for management, the bargaining
# brief, rosters): "a4" or "letter" (concerted/core/paper.py). Unset, it follows the time
# zone: Letter where the zone is in a Letter country (the US, Canada, Mexico, Chile,
# Colombia, Venezuela, the Philippines), A4 in every other place, since most of the world
# prints on A4 and a Letter page printed there is shrunk or clipped. With no zone (or
# UTC) the installation never said where it is: Letter, what every PDF was before.
from concerted.core import paper as _paper  # noqa: E402  (light: no reportlab, no forms)

PAPER = env_choice("CONCERTED_PAPER", _paper.NAMES, _paper.for_zone(TIME_ZONE))
USE_TZ = True

# --- Static files: every asset served by the app itself ---------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if not OWN_MACHINE:
    try:
        STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # also creates DATA_DIR
    except OSError as exc:  # a data folder this user may not write
        raise ImproperlyConfigured(
            f"CONCERTED_DATA_DIR: {STATIC_ROOT} can't be made in the data folder ({exc.strerror or exc})"
        ) from None
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "concerted" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/libsodium", NODE_MODULES / "libsodium" / "dist" / "modules"),
    ("vendor/libsodium-wrappers", NODE_MODULES / "libsodium-wrappers" / "dist" / "modules"),
    ("vendor/libsodium-sumo", NODE_MODULES / "libsodium-sumo" / "dist" / "modules-sumo"),
    ("vendor/libsodium-wrappers-sumo", NODE_MODULES / "libsodium-wrappers-sumo" / "dist" / "modules-sumo"),
    # The accessibility checker the browser tests inject into organizer pages (no CDN).
    ("vendor/axe-core", NODE_MODULES / "axe-core"),
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Keys that must live outside the database -----------------------------------------
# The invite-code key: keyed BLAKE2b of the random invite codes (never of a contact:
# there is no de-duplication key; repeats are found on the committee's machine).
# Read from the environment or from a file beside (never inside) the database;
# generated on first use.
CODE_KEY = env_str("CONCERTED_CODE_KEY")
CODE_KEY_FILE = Path(env_str("CONCERTED_CODE_KEY_FILE", str(DATA_DIR / "codes.key")))
if os.environ.get("CONCERTED_DEDUP_KEY") or os.environ.get("CONCERTED_DEDUP_KEY_FILE"):
    # Refuse to start rather than keep the old key alive in the environment: with an old
    # backup's contact hashes it still tests HR's list (docs/SECURITY.md, "Upgrading").
    raise ImproperlyConfigured(
        "CONCERTED_DEDUP_KEY is no longer used: remove it from the environment and destroy it "
        "(see docs/SECURITY.md, 'Upgrading from contact hashes')."
    )

# --- Encrypted backups (`concerted backup --encrypted`, the nightly timer) ---------------
# Encrypted with age to the committee's backup key (public keys, one a line), never the
# campaign key; kept this many days, then deleted.
BACKUP_DIR = Path(env_str("CONCERTED_BACKUP_DIR", str(DATA_DIR / "backups")))
BACKUP_RECIPIENTS_FILE = Path(env_str("CONCERTED_BACKUP_RECIPIENTS", str(DATA_DIR / "backup-recipients.txt")))
BACKUP_KEEP_DAYS = env_int("CONCERTED_BACKUP_KEEP_DAYS", 7, minimum=1)
# Written by `concerted deploy`: where the installation keeps what `concerted doctor` checks.
INSTALL_FILE = env_str("CONCERTED_INSTALL_FILE")

# --- Logging: no IPs, no user agents, no participant URLs --------------------------------
LOG_FILE = env_str("CONCERTED_LOG_FILE")
if LOG_FILE:
    # Opened the way concerted.core.logging.PrivateFileHandler opens it, now: Django would
    # otherwise stop every command with a traceback from its logging setup.
    try:
        os.close(os.open(LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    except OSError as exc:  # a missing folder, a folder, no permission
        raise ImproperlyConfigured(f"CONCERTED_LOG_FILE: {LOG_FILE} can't be written ({exc.strerror or exc})") from None
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "concerted.core.logging.RedactParticipantData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"},
        **(
            {
                "file": {
                    "class": "concerted.core.logging.PrivateFileHandler",
                    "filename": LOG_FILE,
                    "filters": ["redact"],
                    "formatter": "plain",
                }
            }
            if LOG_FILE
            else {}
        ),
    },
    "root": {"handlers": ["console", *(["file"] if LOG_FILE else [])], "level": "INFO"},
    "loggers": {
        # 4xx warnings would print participant URLs (receipt codes); errors still log.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
        "django.security.csrf": {"level": "ERROR"},
    },
}

# The server sends no mail. `concerted send` (concerted.messaging) sends from the
# organizer's machine, through the committee's own mail server, with its own settings
# (~/.config/concerted/mail.toml there); Django's mail settings below are unused.
EMAIL_BACKEND = env_str("CONCERTED_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL can't both be true")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "organizing-committee@localhost")
