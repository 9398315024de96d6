"""Logs, request ids and traces: how every process tells what it is doing, and for whom."""
