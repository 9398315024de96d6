"""Prometheus metrics: what reportflow counts, the gauges read at scrape time, the
multiprocess directory shared by a process manager's children, and who may scrape."""
