"""Create the PostgreSQL database that DATABASE_URL names, unless it exists (`make db`).

It connects to the server's `postgres` database with the same credentials, so the user
needs the CREATEDB privilege; without it, ask the server's administrator to run
`createdb -O <user> <name>`.
"""

from __future__ import annotations

import os
import sys

import dj_database_url
import psycopg
from psycopg import sql


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        print("make db: DATABASE_URL is not set; the embedded default (SQLite) needs no database", file=sys.stderr)
        return 2
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        print(f"make db: only PostgreSQL is supported, not {config['ENGINE']}", file=sys.stderr)
        return 2
    name = str(config["NAME"])
    connection = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **connection) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"database {name!r} already exists")
            return 0
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"created database {name!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
