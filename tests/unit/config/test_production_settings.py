"""Production settings are safe by default: each case loads config.settings in a fresh interpreter."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = "k3y-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
SHOWN = [
    "SECRET_KEY",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "X_FRAME_OPTIONS",
    "REST_KNOX",
]


def _load(var_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the real settings with exactly this environment; stdout is the settings as JSON."""
    script = (
        "import json, django\nfrom django.conf import settings\ndjango.setup()\n"
        f"print(json.dumps({{name: getattr(settings, name) for name in {SHOWN!r}}}, default=str))\n"
    )
    inherited = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _settings(var_dir: Path, **env: str) -> dict[str, object]:
    loaded = _load(var_dir, **env)
    assert loaded.returncode == 0, loaded.stderr
    return dict(json.loads(loaded.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("insecure-development-key-for-DEBUG-only", "is a development key"),
        ("insecure-embedded-default-change-me", "is a development key"),
        ("django-insecure-" + "x" * 60, "is a development key"),
        ("s" * 20 + "0123456789abcdefghi", "has 39 characters, fewer than 50"),
        ("ab" * 40, "has fewer than 5 different characters"),
    ],
)
def test_without_debug_the_service_refuses_to_start_with_a_weak_secret_key(
    tmp_path: Path, key: str, reason: str
) -> None:
    loaded = _load(tmp_path, DEBUG="false", SECRET_KEY=key)

    assert loaded.returncode != 0
    assert f"ImproperlyConfigured: SECRET_KEY {reason}" in loaded.stderr


def test_without_debug_a_deployment_on_postgresql_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    loaded = _load(tmp_path, DEBUG="false", DATABASE_URL="postgres://app@db.internal:5432/reportflow")

    assert loaded.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in loaded.stderr
    assert not (tmp_path / "secret_key").exists()


def test_the_embedded_default_generates_its_key_once_and_keeps_it_readable_by_its_owner_only(tmp_path: Path) -> None:
    first = _settings(tmp_path)
    second = _settings(tmp_path)

    kept = tmp_path / "secret_key"
    assert first["SECRET_KEY"] == second["SECRET_KEY"] == kept.read_text().strip()
    assert len(str(first["SECRET_KEY"])) >= 50
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_strong_secret_key_from_the_environment_is_used_as_given(tmp_path: Path) -> None:
    loaded = _settings(tmp_path, SECRET_KEY=STRONG_KEY, DATABASE_URL="postgres://app@db.internal:5432/reportflow")

    assert loaded["SECRET_KEY"] == STRONG_KEY


def test_debug_runs_on_the_development_key(tmp_path: Path) -> None:
    loaded = _settings(tmp_path, DEBUG="true")

    assert loaded["SECRET_KEY"] == "insecure-development-key-for-DEBUG-only"


def test_production_defaults_trust_the_proxy_for_https_redirect_send_hsts_and_secure_cookies(tmp_path: Path) -> None:
    loaded = _settings(tmp_path, SECRET_KEY=STRONG_KEY)

    assert loaded["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_REDIRECT_EXEMPT"] == ["^healthz$", "^readyz$"]
    assert loaded["SECURE_HSTS_SECONDS"] == 31536000
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert loaded["SECURE_HSTS_PRELOAD"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["X_FRAME_OPTIONS"] == "DENY"


def test_debug_turns_the_https_defaults_off(tmp_path: Path) -> None:
    loaded = _settings(tmp_path, DEBUG="true")

    assert loaded["SECURE_PROXY_SSL_HEADER"] is None
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    assert loaded["SESSION_COOKIE_SECURE"] is False


def test_each_https_setting_can_be_set_from_the_environment(tmp_path: Path) -> None:
    loaded = _settings(
        tmp_path,
        SECRET_KEY=STRONG_KEY,
        SECURE_PROXY_SSL_HEADER="X-Scheme",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="true",
        SECURE_COOKIES="false",
    )

    assert loaded["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_SCHEME", "https"]
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 3600
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert loaded["SECURE_HSTS_PRELOAD"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is False


def test_an_empty_proxy_header_trusts_no_header(tmp_path: Path) -> None:
    loaded = _settings(tmp_path, SECRET_KEY=STRONG_KEY, SECURE_PROXY_SSL_HEADER="")

    assert loaded["SECURE_PROXY_SSL_HEADER"] is None


def test_api_tokens_expire_after_token_ttl_days_or_never_with_0(tmp_path: Path) -> None:
    default = _settings(tmp_path, SECRET_KEY=STRONG_KEY)["REST_KNOX"]
    week = _settings(tmp_path, SECRET_KEY=STRONG_KEY, TOKEN_TTL_DAYS="7")["REST_KNOX"]
    never = _settings(tmp_path, SECRET_KEY=STRONG_KEY, TOKEN_TTL_DAYS="0")["REST_KNOX"]

    assert isinstance(default, dict) and isinstance(week, dict) and isinstance(never, dict)
    ttls = (default["TOKEN_TTL"], week["TOKEN_TTL"], never["TOKEN_TTL"])
    assert ttls == ("90 days, 0:00:00", "7 days, 0:00:00", None)
