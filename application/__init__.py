"""Use cases: one module per user intent, each a command and a handler taking ports."""
