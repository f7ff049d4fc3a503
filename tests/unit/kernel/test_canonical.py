import pytest

from genesis_platform.kernel.canonical import canonical_json, check_canonical_value


def test_keys_are_sorted_and_whitespace_removed():
    assert canonical_json({"b": 1, "a": [True, None, "é"]}) == '{"a":[true,null,"é"],"b":1}'.encode()


def test_floats_and_non_string_keys_are_refused():
    with pytest.raises(TypeError, match="float"):
        check_canonical_value({"x": [1.5]})
    with pytest.raises(TypeError, match="keys must be strings"):
        check_canonical_value({1: "a"})
    check_canonical_value({"ok": [1, "two", False, None, {"n": 3}]})
