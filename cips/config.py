"""Configuration from the environment (``CIPS_*`` variables), twelve-factor style."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from limits import parse_many

from cips.links import check_base_url

#: Largest accepted submission body; larger bodies are refused (413) and quarantined.
MAX_SUBMISSION_BYTES = 1024 * 1024
#: Of a body over MAX_SUBMISSION_BYTES (never a valid record), the quarantine keeps only this
#: prefix, marked truncated (enough to tell which device and campaign sent it); the row
#: records the full declared size.
QUARANTINE_PREFIX_BYTES = 64 * 1024
#: Quarantine growth (cips.submissions.budget): refused bodies kept per hour, and in all.
QUARANTINE_BYTES_PER_HOUR = 64 * 1024 * 1024
QUARANTINE_MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: A manager's session ends after this long without a request (ASVS 3.3.2; NIST AAL2: 30 min)...
SESSION_IDLE_MINUTES = 30
#: ...and this long after signing in, however active (a working day).
SESSION_MAX_HOURS = 12
#: Guesses at one account's password from anywhere, sign-in and /account together: each window
#: used up delays the next attempt to its end (a growing delay, never a lock beyond an hour).
LOGIN_ACCOUNT_RATE_LIMIT = "5/minute;10/10 minutes;30/hour"
#: Sign-in attempts from one client address, whatever accounts they name.
LOGIN_RATE_LIMIT = "10/minute;100/hour"
#: Second-factor codes tried for one account (TOTP or recovery): a million codes cannot be walked.
TOTP_ACCOUNT_RATE_LIMIT = "5/minute;20/hour"
#: Submissions accepted per device (``limits`` syntax); more get 429 and the device retries later.
API_RATE_LIMIT = "600/minute"
#: Submissions accepted per client address, whatever device ids they carry: five stations
#: flushing at full speed behind one office address.
API_ADDRESS_RATE_LIMIT = "3000/minute"


def check_limit(variable: str, default: str) -> str:
    """The environment's rate limit (``limits`` syntax), checked at start-up: a value it cannot read
    would otherwise fail every request it counts (a 500 on every submission)."""
    value = os.environ.get(variable, default)
    try:
        parse_many(value)
    except ValueError as exc:
        raise ValueError(f"{variable} must look like 600/minute or 600/minute;10000/hour (got {value!r})") from exc
    return value


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
    """Defaults, overridden by environment variables and then by ``test_config``."""

    def __init__(self, instance_path: Path) -> None:
        default_db = f"sqlite:///{instance_path / 'cips.sqlite3'}"
        self.DATABASE_URL = os.environ.get("CIPS_DATABASE_URL", default_db)
        # Where respondents and staff reach the app (cips.links): the start of every link handed out.
        base_url = os.environ.get("CIPS_BASE_URL", "")
        self.BASE_URL = check_base_url(base_url) if base_url else ""
        self.SECRET_KEY = os.environ.get("CIPS_SECRET_KEY") or instance_secret_key(instance_path)
        self.FORMS_DIR = os.environ.get("CIPS_FORMS_DIR", str(Path(__file__).resolve().parent.parent / "forms"))
        self.MAX_SUBMISSION_BYTES = int(os.environ.get("CIPS_MAX_SUBMISSION_BYTES", MAX_SUBMISSION_BYTES))
        self.QUARANTINE_PREFIX_BYTES = QUARANTINE_PREFIX_BYTES
        # Quarantine growth (cips.submissions.budget); a spent budget answers 503 + Retry-After.
        env = os.environ.get
        self.QUARANTINE_BYTES_PER_HOUR = int(env("CIPS_QUARANTINE_BYTES_PER_HOUR", QUARANTINE_BYTES_PER_HOUR))
        self.QUARANTINE_MAX_TOTAL_BYTES = int(env("CIPS_QUARANTINE_MAX_TOTAL_BYTES", QUARANTINE_MAX_TOTAL_BYTES))
        # Flask refuses larger bodies before our code sees them; the API lifts this
        # per request so that it can quarantine what it refuses.
        self.MAX_CONTENT_LENGTH = self.MAX_SUBMISSION_BYTES * 2
        self.WTF_CSRF_TIME_LIMIT = None  # a respondent may take an hour on a long questionnaire
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = os.environ.get("CIPS_SECURE_COOKIES", "0") == "1"
        self.SESSION_IDLE_MINUTES = float(os.environ.get("CIPS_SESSION_IDLE_MINUTES", SESSION_IDLE_MINUTES))
        self.SESSION_MAX_HOURS = float(os.environ.get("CIPS_SESSION_MAX_HOURS", SESSION_MAX_HOURS))
        # The signed cookie itself is refused past the absolute limit (Flask's default: 31 days).
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=self.SESSION_MAX_HOURS)
        self.JSON_SORT_KEYS = False
        # Shared counters (cips.counters): empty means a SQLite file beside a SQLite database,
        # else the app database itself (its counter_window table).
        self.COUNTER_STORE_URL = os.environ.get("CIPS_COUNTER_STORE_URL", "")
        # Submissions per device (the payload's device_id; else the client address, only as a
        # transient counter key). A reconnecting station flushes hundreds at once.
        self.API_RATE_LIMIT = check_limit("CIPS_API_RATE_LIMIT", API_RATE_LIMIT)
        self.API_ADDRESS_RATE_LIMIT = check_limit("CIPS_API_ADDRESS_RATE_LIMIT", API_ADDRESS_RATE_LIMIT)
        # Password guesses (cips.auth.throttle), in the same shared counters.
        self.LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("CIPS_LOGIN_ACCOUNT_RATE_LIMIT", LOGIN_ACCOUNT_RATE_LIMIT)
        self.LOGIN_RATE_LIMIT = os.environ.get("CIPS_LOGIN_RATE_LIMIT", LOGIN_RATE_LIMIT)
        # Second factor: codes per account, and whether every account must have one (off by default:
        # an instance switches it on once its managers have an authenticator app).
        self.TOTP_ACCOUNT_RATE_LIMIT = os.environ.get("CIPS_TOTP_ACCOUNT_RATE_LIMIT", TOTP_ACCOUNT_RATE_LIMIT)
        self.REQUIRE_2FA = os.environ.get("CIPS_REQUIRE_2FA", "0") == "1"
        # Benchmark-only routes (bench/ingest.py's ceiling endpoint); never set in production.
        self.BENCH_ENDPOINTS = os.environ.get("CIPS_BENCH_ENDPOINTS", "0") == "1"
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (ProxyFix):
        # 0 = none, the client address is the socket's; 1 = one proxy (nginx) on the way, etc.
        self.TRUSTED_PROXIES = int(os.environ.get("CIPS_TRUSTED_PROXIES", "0"))
        # Part of the PWA's service-worker version: changing it makes every device
        # fetch a fresh copy of the app (the version otherwise follows content).
        self.PWA_VERSION_SALT = os.environ.get("CIPS_PWA_VERSION_SALT", "")

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if k.isupper()}
