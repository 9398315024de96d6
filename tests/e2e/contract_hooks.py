"""schemathesis hooks of the contract test (tests/e2e/test_api_contract.py), loaded by the
schemathesis process through SCHEMATHESIS_HOOKS.

A path parameter is drawn either as schemathesis generates it (a random id: the 404 side)
or from the objects the test seeded (the side with a body), named in CONTRACT_IDS_VARIABLE;
a DELETE gets seeded objects of its own, so the other operations keep theirs. The signed
HTML page gets the seeded report's signature the same way.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st

CONTRACT_IDS_VARIABLE = "REPORTFLOW_CONTRACT_IDS"


def _seeded() -> dict[str, dict[str, str]]:
    return json.loads(os.environ.get(CONTRACT_IDS_VARIABLE, "{}"))  # type: ignore[no-any-return]


@schemathesis.hook
def before_generate_path_parameters(context: schemathesis.HookContext, strategy: Any) -> Any:
    operation = context.operation
    if operation is None:
        return strategy
    seeded = _seeded()
    known = {**seeded.get("read", {}), **(seeded.get("deleted", {}) if operation.method.upper() == "DELETE" else {})}
    names = [parameter.name for parameter in operation.path_parameters]
    if not names or not set(names) <= set(known):
        return strategy
    return st.one_of(strategy, st.just({name: known[name] for name in names}))


@schemathesis.hook
def before_generate_query(context: schemathesis.HookContext, strategy: Any) -> Any:
    operation = context.operation
    seeded = _seeded().get("query", {})
    names = {parameter.name for parameter in operation.query} if operation is not None else set()
    if not names or not names <= set(seeded):
        return strategy
    return st.one_of(strategy, st.just({name: seeded[name] for name in names}))
