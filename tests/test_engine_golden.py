"""The engine reproduces its pinned outputs (``tests/data/engine_golden.npz``) on every scenario.

The file holds, for every venue preset, every named variant and the property tests' extra rule
sets (:mod:`engine_golden`), the full ledger (every column of every event), every step record
and the final accounts as the engine produced them before it was restructured for scale. Every
value must match **exactly** (bit for bit, NaN where NaN), except the step records' audit
``imbalance``, a rounding residue whose summation order the fast audit changes: it must match
within ``1e-12`` of the scenario's money scale.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_golden import GOLDEN, outputs, scenarios

CASES = list(scenarios())


@pytest.fixture(scope="module")
def golden() -> dict[str, np.ndarray]:
    with np.load(GOLDEN) as data:
        return {key: data[key] for key in data.files}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_engine_matches_its_golden_outputs(case, golden) -> None:
    name, make, marks, mids = case
    got = outputs(make(), marks, mids)
    expected = {k.removeprefix(f"{name}/"): v for k, v in golden.items()
                if k.startswith(f"{name}/")}
    assert sorted(got) == sorted(expected)
    assert expected["ledger.kind"].size > 0  # every scenario liquidates somebody
    scale = float(np.abs(expected["accounts.equity"]).sum() + expected["totals"].sum() + 1.0)
    for key, want in expected.items():
        have = got[key]
        assert have.shape == want.shape, key
        if key == "history.imbalance":
            np.testing.assert_allclose(have, want, rtol=0, atol=1e-12 * scale, err_msg=key)
        else:
            np.testing.assert_array_equal(have, want, err_msg=key)
