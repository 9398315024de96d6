"""Reading a report file: sniffing its format from content, then streaming it as text frames."""
