"""SECRET_KEY: refused when weak outside DEBUG; kept on disk for the embedded default."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.environment import Environment

MIN_LENGTH = 50
DEVELOPMENT_KEY = "insecure-development-key-for-DEBUG-only"
# keys that were ever a default here, or are Django's own marker of a throwaway key
_KNOWN_WEAK = {DEVELOPMENT_KEY, "insecure-embedded-default-change-me"}
_GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key(env: Environment) -> str:
    """The key to use, or ImproperlyConfigured with what to do.

    With DEBUG the development key is fine. Otherwise SECRET_KEY must be at least 50 random
    characters; on the embedded default (no DATABASE_URL: one machine) a missing one is
    generated once and kept in VAR_DIR/secret_key (mode 0600).
    """
    if env.secret_key:
        if not env.debug and (problem := _weakness(env.secret_key)):
            raise ImproperlyConfigured(f"SECRET_KEY {problem}; with DEBUG=false set one from `{_GENERATE}`")
        return env.secret_key
    if env.debug:
        return DEVELOPMENT_KEY
    if env.database_url:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. DATABASE_URL is, so this is a deployment whose processes must share one key: "
            f"set SECRET_KEY to at least {MIN_LENGTH} random characters, e.g. from `{_GENERATE}`"
        )
    return _kept_key(env.var_dir / "secret_key")


def _weakness(key: str) -> str:
    if key in _KNOWN_WEAK or key.startswith("django-insecure"):
        return "is a development key"
    if len(key) < MIN_LENGTH:
        return f"has {len(key)} characters, fewer than {MIN_LENGTH}"
    if len(set(key)) < 5:
        return "has fewer than 5 different characters"
    return ""


def _kept_key(path: Path) -> str:
    """Read the key kept at `path`, generating it first if there is none yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(64) + "\n")
        try:
            os.link(draft, path)  # atomic: when web, worker and beat start together, one key wins
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    key = path.read_text().strip()
    if problem := _weakness(key):
        raise ImproperlyConfigured(f"the key kept in {path} {problem}: delete the file to generate a new one")
    return key
