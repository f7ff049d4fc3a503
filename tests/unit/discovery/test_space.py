import numpy as np
import pytest

from genesis_platform.discovery import load_space
from genesis_platform.kernel.errors import InvalidInput


def _space(**extra):
    spec = {
        "parameters": [
            {"kind": "continuous", "name": "temperature", "low": 20, "high": 120},
            {"kind": "continuous", "name": "rate", "low": 0.01, "high": 1, "log": True},
            {"kind": "integer", "name": "cycles", "low": 1, "high": 5},
            {"kind": "categorical", "name": "solvent", "options": ["water", "ethanol", "thf"]},
        ],
        "objectives": [{"name": "yield", "direction": "maximize"}],
    }
    spec.update(extra)
    return load_space(spec)


def test_a_point_round_trips_through_its_features():
    space = _space()
    point = {"temperature": 70.0, "rate": 0.1, "cycles": 3, "solvent": "thf"}
    features = space.encode([point])
    assert features.shape == (1, 6)
    assert features.min() >= 0 and features.max() <= 1
    assert features[0, 1] == pytest.approx(0.5)  # log scale: 0.1 is the geometric middle of [0.01, 1]
    back = space.decode(features)[0]
    assert back["solvent"] == "thf" and back["cycles"] == 3
    assert back["temperature"] == pytest.approx(70.0) and back["rate"] == pytest.approx(0.1)


def test_descriptors_encode_options_as_scaled_vectors():
    space = load_space(
        {
            "parameters": [
                {
                    "kind": "categorical",
                    "name": "anion",
                    "options": ["F", "Cl", "I"],
                    "descriptors": {"F": [4.0, 1.0], "Cl": [3.0, 2.0], "I": [2.5, 5.0]},
                }
            ]
        }
    )
    assert space.encode([{"anion": "Cl"}]).tolist() == [[pytest.approx(1 / 3), 0.25]]
    assert space.decode(np.array([[0.9, 0.1]]))[0] == {"anion": "F"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"parameters": [{"kind": "continuous", "name": "x", "low": 1, "high": 1}]}, "bounds [1.0, 1.0] are empty"),
        ({"parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1, "log": True}]}, "needs low > 0"),
        ({"parameters": []}, "at least one parameter"),
        ({"parameters": [{"kind": "categorical", "name": "c", "options": ["a"]}]}, "two distinct options"),
        ({"parameters": [{"kind": "magic", "name": "x"}]}, "parameters"),
        (
            {
                "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}],
                "constraints": [{"coefficients": {"y": 1}, "rhs": 1}],
            },
            "unknown parameter 'y'",
        ),
        (
            {
                "parameters": [
                    {"kind": "continuous", "name": "a", "low": 0, "high": 0.3},
                    {"kind": "continuous", "name": "b", "low": 0, "high": 0.3},
                ],
                "mixtures": [{"parameters": ["a", "b"]}],
            },
            "no point within the bounds meets the constraints",
        ),
        (
            {
                "parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}],
                "pool": {"rows": [{"x": 0.5, "z": 1}]},
            },
            "unknown parameter(s) z",
        ),
        (
            {"parameters": [{"kind": "continuous", "name": "x", "low": 0, "high": 1}], "pool": {"rows": [{"x": 2}]}},
            "outside [0, 1]",
        ),
    ],
)
def test_bad_specs_are_refused_with_the_reason(spec, message):
    with pytest.raises(InvalidInput) as raised:
        load_space(spec)
    assert message in raised.value.message


def test_yaml_text_loads_and_round_trips():
    space = _space(mixtures=[])
    again = load_space(space.to_yaml())
    assert again == space


def test_bad_yaml_is_one_clear_error():
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_space("parameters: [unclosed")


def test_points_are_validated_against_bounds_options_and_constraints():
    space = load_space(
        {
            "parameters": [
                {"kind": "continuous", "name": "a", "low": 0, "high": 1},
                {"kind": "continuous", "name": "b", "low": 0, "high": 1},
                {"kind": "categorical", "name": "c", "options": ["x", "y"]},
            ],
            "mixtures": [{"parameters": ["a", "b"]}],
        }
    )
    assert space.validate_point({"a": 0.25, "b": 0.75, "c": "x"})["a"] == 0.25
    for bad, message in [
        ({"a": 0.25, "b": 0.5, "c": "x"}, "breaks the constraint"),
        ({"a": 0.25, "b": 0.75, "c": "z"}, "not one of"),
        ({"a": 0.25, "b": 0.75}, "no value for 'c'"),
        ({"a": 0.25, "b": 0.75, "c": "x", "d": 1}, "unknown parameter(s) d"),
        ({"a": "lots", "b": 0.75, "c": "x"}, "not a number"),
    ]:
        with pytest.raises(InvalidInput) as raised:
            space.validate_point(bad)
        assert message in raised.value.message


def test_feature_constraints_restate_raw_constraints_on_the_unit_cube():
    space = load_space(
        {
            "parameters": [
                {"kind": "continuous", "name": "a", "low": 10, "high": 20},
                {"kind": "continuous", "name": "b", "low": 0, "high": 5},
            ],
            "constraints": [{"coefficients": {"a": 1, "b": 2}, "op": "<=", "rhs": 25}],
        }
    )
    [(cols, coefs, rhs, op)] = space.feature_constraints()
    assert cols == [0, 1] and coefs == [10.0, 10.0] and rhs == 15.0 and op == "<="
    # In feature space the restated constraint separates the same points as the raw one.
    inside, outside = space.encode([{"a": 12, "b": 4}, {"a": 20, "b": 5}])
    assert float(np.dot(coefs, inside[cols])) <= rhs < float(np.dot(coefs, outside[cols]))
