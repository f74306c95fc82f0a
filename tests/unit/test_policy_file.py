"""The documented policy file is the defaults, and bad policies are refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagline.governance.policy import Policy

EXAMPLE = Path(__file__).resolve().parents[2] / "policy.example.toml"


def test_the_example_file_states_the_defaults() -> None:
    assert Policy.from_file(EXAMPLE) == Policy()


def test_unknown_levels_and_keys_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text('masked_level = "secret"\n')
    with pytest.raises(ValueError, match="'secret' is not one of the levels"):
        Policy.from_file(bad)
    bad.write_text("aggregation_carry = false\n")
    with pytest.raises(ValueError, match="aggregation_carry"):
        Policy.from_file(bad)
