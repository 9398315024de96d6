"""Mergeable per-column statistics: exact moments, DataSketches for quantiles, distinct and top values."""
