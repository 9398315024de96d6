"""Notifications: when a job ends, signed webhooks to the owner's endpoints and an e-mail if
they opted in, each delivered by a job of its own; and the use cases that manage endpoints."""
