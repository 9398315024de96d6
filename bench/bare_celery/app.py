"""`celery -A bench.bare_celery.app worker` runs it; `python -m bench.bare_celery.app N` queues N tasks."""

from __future__ import annotations

import os
import sys

from celery import Celery

app = Celery("bare", broker=os.environ["CELERY_BROKER_URL"])
app.conf.update(task_serializer="json", accept_content=["json"], task_ignore_result=True)


@app.task(name="bare.noop")
def noop(index: int) -> None:
    return None


if __name__ == "__main__":
    for index in range(int(sys.argv[1])):
        noop.delay(index)
