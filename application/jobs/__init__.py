"""The job engine: kinds, the attempt pipeline, transitions and their hook, the outbox, the
reconciler, retries, cancel and replay, and the read side of jobs. Knows nothing of reports."""
