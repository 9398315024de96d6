"""Human-facing renderings of a result: a self-contained HTML report and CSV exports."""
