"""Notifications: the events a job's end produces, webhook endpoints and their deliveries,
e-mail preferences, and which destinations a webhook may reach."""
