"""Scheduled reports: a schedule re-runs one of its owner's reports on a cron expression; one
scheduler at a time (the lease holder) fires the schedules that are due."""
