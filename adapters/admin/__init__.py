"""The operator console: Django's admin over reportflow's records, staff only.

History (jobs, events, deliveries, outbox) is read-only here; what an operator does to a job
or a delivery (replay, cancel, redeliver) goes through the same use cases as the API.
"""
