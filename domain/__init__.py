"""The job engine and reports, in plain Python: entities, the state machine, errors, ports."""
