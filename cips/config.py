"""Configuration from the environment, twelve-factor style: every ``CIPS_*`` variable once, in ``SETTINGS``.

Each variable is declared here with its type (the function that reads it), its default and the
``app.config`` key it fills; the few read elsewhere (``analysis``, gunicorn, the test suite, the key
passphrase prompt) are declared too, with no key, so that start-up checks them all. A malformed
value stops start-up with a message naming the variable (it would otherwise fail later, at the first
request or report that reads it). README's configuration table is tested against this list.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from analysis.embeddings import DEFAULT_BACKEND, check_backend
from analysis.embeddings import ENV_VAR as EMBEDDINGS_VAR
from analysis.factors import CORE_LANGUAGES
from cips.links import check_base_url

#: Largest accepted submission body; larger bodies are refused (413) and quarantined.
MAX_SUBMISSION_BYTES = 1024 * 1024
#: Of a body over MAX_SUBMISSION_BYTES (never a valid record), the quarantine keeps only this
#: prefix, marked truncated (enough to tell which device and campaign sent it); the row
#: records the full declared size.
QUARANTINE_PREFIX_BYTES = 64 * 1024
#: Seconds between refreshes of the fieldwork dashboard's live fragment (also in the page, for its script).
DASHBOARD_REFRESH_SECONDS = 10


class ConfigError(ValueError):
    """A malformed environment variable; the message names it."""


def flag(value: str) -> bool:
    if value not in ("0", "1"):
        raise ValueError("must be 0 or 1")
    return value == "1"


def whole(minimum: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = minimum - 1
        if number < minimum:
            raise ValueError(f"must be a whole number, at least {minimum}")
        return number

    return parse


def positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number < float("inf"):
        raise ValueError("must be a number above 0")
    return number


def accepted_by(check: Callable[[str], object], error: type[Exception], message: str) -> Callable[[str], Any]:
    """A reader that keeps the value as written once ``check`` (a library's own parser) accepts it."""

    def parse(value: str) -> str:
        try:
            check(value)
        except error as exc:
            raise ValueError(message) from exc
        return value

    return parse


#: A rate limit in ``limits`` syntax: one it cannot read would fail every request it counts.
rate_limit = accepted_by(parse_many, ValueError, "must look like 600/minute or 600/minute;10000/hour")
URL_EXAMPLE = "postgresql+psycopg://user:password@host/name"
database_url = accepted_by(make_url, ArgumentError, f"is not a database URL; expected e.g. {URL_EXAMPLE}")


def text(value: str) -> str:
    return value


@dataclass(frozen=True)
class Setting:
    """One environment variable: ``parse`` raises ValueError on a malformed value."""

    variable: str
    parse: Callable[[str], Any]
    #: The value when unset or empty; ``None``: none, or made at start-up (see ``Config``).
    default: Any
    #: The ``app.config`` key it fills; ``None``: read where it is used.
    key: str | None = None
    #: Never echoed in a message (a database URL holds its password).
    secret: bool = False

    def read(self, environ: Mapping[str, str] | None = None) -> Any:
        raw = (os.environ if environ is None else environ).get(self.variable, "")
        if raw == "":
            return self.default
        try:
            return self.parse(raw)
        except ValueError as exc:
            shown = "" if self.secret else f" (got {raw!r})"
            raise ConfigError(f"{self.variable} {exc}{shown}") from exc


SETTINGS: tuple[Setting, ...] = (
    # Default: instance/cips.sqlite3, beside the instance folder's other files.
    Setting("CIPS_DATABASE_URL", database_url, None, "DATABASE_URL", secret=True),
    # Default: generated once into instance/secret_key (instance_secret_key).
    Setting("CIPS_SECRET_KEY", text, None, "SECRET_KEY", secret=True),
    # Default: the repository's forms/ folder.
    Setting("CIPS_FORMS_DIR", text, None, "FORMS_DIR"),
    Setting("CIPS_MAX_SUBMISSION_BYTES", whole(1), MAX_SUBMISSION_BYTES, "MAX_SUBMISSION_BYTES"),
    # Quarantine growth (cips.submissions.budget): refused bodies kept per hour, and in all; a spent
    # budget answers 503 + Retry-After.
    Setting("CIPS_QUARANTINE_BYTES_PER_HOUR", whole(0), 64 * 1024 * 1024, "QUARANTINE_BYTES_PER_HOUR"),
    Setting("CIPS_QUARANTINE_MAX_TOTAL_BYTES", whole(0), 1024 * 1024 * 1024, "QUARANTINE_MAX_TOTAL_BYTES"),
    # Submissions per device (the payload's device_id; else the client address, only as a transient
    # counter key): a reconnecting station flushes hundreds at once; more get 429 and retry later.
    Setting("CIPS_API_RATE_LIMIT", rate_limit, "600/minute", "API_RATE_LIMIT"),
    # Per client address, whatever device ids they carry: five stations flushing behind one office address.
    Setting("CIPS_API_ADDRESS_RATE_LIMIT", rate_limit, "3000/minute", "API_ADDRESS_RATE_LIMIT"),
    # Shared counters (cips.counters): empty means a SQLite file beside a SQLite database, else the app
    # database itself (its counter_window table).
    Setting("CIPS_COUNTER_STORE_URL", database_url, "", "COUNTER_STORE_URL", secret=True),
    # Reverse proxies whose X-Forwarded-For/-Proto are believed (ProxyFix): 0 = none, the client address
    # is the socket's; 1 = one proxy (nginx) on the way, etc.
    Setting("CIPS_TRUSTED_PROXIES", whole(0), 0, "TRUSTED_PROXIES"),
    # Benchmark-only routes (bench/ingest.py's ceiling endpoint); never set in production.
    Setting("CIPS_BENCH_ENDPOINTS", flag, False, "BENCH_ENDPOINTS"),
    Setting("CIPS_SECURE_COOKIES", flag, False, "SESSION_COOKIE_SECURE"),
    # Where respondents and staff reach the app (cips.links): the start of every link handed out.
    Setting("CIPS_BASE_URL", check_base_url, "", "BASE_URL"),
    # A manager's session ends after this long without a request (ASVS 3.3.2; NIST AAL2: 30 min)...
    Setting("CIPS_SESSION_IDLE_MINUTES", positive, 30, "SESSION_IDLE_MINUTES"),
    # ...and this long after signing in, however active (a working day).
    Setting("CIPS_SESSION_MAX_HOURS", positive, 12, "SESSION_MAX_HOURS"),
    # Guesses at one account's password from anywhere, sign-in and /account together: each window used
    # up delays the next attempt to its end (a growing delay, never a lock beyond an hour).
    Setting("CIPS_LOGIN_ACCOUNT_RATE_LIMIT", rate_limit, "5/minute;10/10 minutes;30/hour", "LOGIN_ACCOUNT_RATE_LIMIT"),
    # Sign-in attempts from one client address, whatever accounts they name.
    Setting("CIPS_LOGIN_RATE_LIMIT", rate_limit, "10/minute;100/hour", "LOGIN_RATE_LIMIT"),
    # Whether every account must have a second factor (off by default: an instance switches it on once
    # its managers have an authenticator app).
    Setting("CIPS_REQUIRE_2FA", flag, False, "REQUIRE_2FA"),
    # Second-factor codes tried for one account (TOTP or recovery): a million codes cannot be walked.
    Setting("CIPS_TOTP_ACCOUNT_RATE_LIMIT", rate_limit, "5/minute;20/hour", "TOTP_ACCOUNT_RATE_LIMIT"),
    # Part of the PWA's service-worker version: changing it makes every device fetch a fresh copy of
    # the app (the version otherwise follows content).
    Setting("CIPS_PWA_VERSION_SALT", text, "", "PWA_VERSION_SALT"),
    # Read where used: gunicorn's processes and threads (deploy/gunicorn.conf.py).
    Setting("CIPS_WEB_WORKERS", whole(1), 2),
    Setting("CIPS_WEB_THREADS", whole(1), 8),
    # Read by analysis (which never imports cips): sentence embeddings, the model cache, spaCy pipelines.
    Setting(EMBEDDINGS_VAR, check_backend, DEFAULT_BACKEND),
    Setting("CIPS_CACHE_DIR", text, None),  # default: the user cache folder (platformdirs)
    *(Setting(f"CIPS_SPACY_{lang.upper()}", text, None) for lang in CORE_LANGUAGES),
    # Read by `cips keygen|decrypt|campaign create --encrypt` instead of prompting (scripts, tests).
    Setting("CIPS_KEY_PASSPHRASE", text, None, secret=True),
    # Read by the test suite: a PostgreSQL database every database test also runs on (wiped).
    Setting("CIPS_TEST_DATABASE_URL", database_url, None, secret=True),
)


def setting(variable: str) -> Setting:
    return next(s for s in SETTINGS if s.variable == variable)


def instance_secret_key(instance_path: Path) -> str:
    """Read the secret key kept in ``instance/``, generating it on first use.

    Sessions and CSRF tokens must survive a restart, so a random key made at each
    start-up would log everyone out and invalidate half-filled forms.
    """
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class Config:
    """Defaults, overridden by environment variables (``SETTINGS``) and then by ``test_config``.

    Every key the app reads is set here, including those only tests change, so that
    ``app.config[KEY]`` never needs a default of its own.
    """

    def __init__(self, instance_path: Path) -> None:
        values: dict[str, Any] = {}
        for s in SETTINGS:  # every variable is checked here, also those read elsewhere
            value = s.read()
            if s.key:
                values[s.key] = value
        self.__dict__.update(values)
        self.DATABASE_URL = values["DATABASE_URL"] or f"sqlite:///{instance_path / 'cips.sqlite3'}"
        self.SECRET_KEY = values["SECRET_KEY"] or instance_secret_key(instance_path)
        self.FORMS_DIR = values["FORMS_DIR"] or str(Path(__file__).resolve().parent.parent / "forms")
        self.QUARANTINE_PREFIX_BYTES = QUARANTINE_PREFIX_BYTES
        # Flask refuses larger bodies before our code sees them; the API lifts this
        # per request so that it can quarantine what it refuses.
        self.MAX_CONTENT_LENGTH = self.MAX_SUBMISSION_BYTES * 2
        self.WTF_CSRF_TIME_LIMIT = None  # a respondent may take an hour on a long questionnaire
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # The signed cookie itself is refused past the absolute limit (Flask's default: 31 days).
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=self.SESSION_MAX_HOURS)
        self.DASHBOARD_REFRESH_SECONDS = DASHBOARD_REFRESH_SECONDS
        # Set by tests only: a fixed clock (cips.clock), background jobs run within the request
        # (cips.manage.jobs), and folders or files elsewhere than the instance folder's.
        self.CLOCK: Callable[[], Any] | None = None
        self.JOBS_SYNC = False
        self.REPORT_CACHE_DIR: str | None = None
        self.BRIEFING_JOBS_DIR: str | None = None
        self.TEXT_JOBS_DIR: str | None = None
        self.DEMO_ACCOUNTS_FILE: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if k.isupper()}
