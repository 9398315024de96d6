"""`make worker-health`: exit 0 while the worker's heartbeat file is fresh, 1 otherwise.

A liveness probe for an orchestrator: WORKER_HEARTBEAT_FILE (default VAR_DIR/worker.heartbeat)
must have been touched within WORKER_HEARTBEAT_MAX_AGE_SECONDS (default 30 s).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.celery.heartbeat_file import check
from config.environment import Environment


def main() -> int:
    env = Environment()
    alive, said = check(env.heartbeat_file, max_age_seconds=env.worker_heartbeat_max_age_seconds)
    print(("alive: " if alive else "NOT ALIVE: ") + said, file=sys.stdout if alive else sys.stderr)
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
