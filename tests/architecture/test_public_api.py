"""Every module declares `__all__`, every public name is documented, and no public name comes from a private module."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "genesis_platform"
SKIP = {"genesis_platform.kernel.migrations.env"}  # alembic executes it; importing it runs a migration


def _names() -> list[str]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if "versions" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        out.append(".".join(parts))
    return out


@pytest.mark.parametrize("name", [n for n in _names() if n not in SKIP])
def test_module_has_all_and_documents_its_public_names(name):
    path = SRC.parent / (name.replace(".", "/") + ".py")
    if not path.exists():
        path = SRC.parent / name.replace(".", "/") / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{name} has no module docstring"
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    is_package = path.name == "__init__.py"
    if exported is None:
        assert is_package, f"{name} has no __all__"
        return
    for public in exported:
        obj = getattr(module, public)
        origin = getattr(obj, "__module__", name) or name
        if not any(p.startswith("_") for p in name.split(".")):
            assert not any(p.startswith("_") for p in origin.split(".")), f"{name}.{public} comes from private {origin}"
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name}.{public} has no docstring"


def test_package_ships_py_typed_and_policies():
    assert (SRC / "py.typed").exists()
    assert (SRC / "policies" / "genesis.cedar").exists() and (SRC / "policies" / "genesis.cedarschema").exists()
