"""Django's PostgreSQL backend, with a transaction's BEGIN sent along with its first statement
(see base.py). Selected by config.settings for every PostgreSQL database."""
