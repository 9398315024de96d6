"""HTTP API v1 (Django REST framework): parse, call one use case, render."""
