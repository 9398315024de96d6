"""Notification adapters: name resolution, the httpx webhook sender that connects only to the
checked address, Standard Webhooks signatures, the Django mailer, absolute API links."""
