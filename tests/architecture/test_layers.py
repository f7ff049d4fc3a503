"""Import directions of shared/ARCHITECTURE.md, checked on the parsed sources (no imports executed)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "genesis_platform"
FRONT_DOORS = {"api", "cli", "web", "mcp"}
CAPABILITIES = {"catalog", "discovery", "frontier", "cyber", "governance"}
COMPOSITION = {"bootstrap", "demo"}


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    top = parts[1]
    if top in FRONT_DOORS:
        return "front"
    if top in CAPABILITIES:
        return "capability"
    if top in COMPOSITION:
        return "composition"
    return top  # kernel, testing, policies


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append((".".join(parts), path))
    return out


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names]
    return [m for m in found if m.startswith("genesis_platform")]


def _violation(importer: str, imported: str) -> str | None:
    src, dst = _layer(importer), _layer(imported)
    if dst == "front" and importer.split(".")[1] != imported.split(".")[1]:
        return "nothing imports a front door (and front doors do not import each other)"
    if src == "kernel" and dst not in {"kernel", "root"}:
        return "the kernel imports only the kernel"
    if src == "capability":
        if dst in {"composition", "testing"}:
            return "capabilities do not import bootstrap, the demo or test doubles"
        if dst == "capability" and importer.split(".")[1] != imported.split(".")[1] and len(imported.split(".")) > 2:
            return "another capability only through its package"
    if src == "composition" and dst == "testing":
        return "composition does not import test doubles"
    if src in {"front"} and dst == "testing":
        return "front doors do not import test doubles"
    return None


def test_every_module_respects_the_import_directions():
    problems = []
    for module, path in _modules():
        for imported in _imports(path):
            why = _violation(module, imported)
            if why:
                problems.append(f"{module} imports {imported}: {why}")
    assert problems == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("genesis_platform.kernel.guard", "genesis_platform.bootstrap"),
        ("genesis_platform.kernel.guard", "genesis_platform.api"),
        ("genesis_platform.cli.platform", "genesis_platform.api.app"),
        ("genesis_platform.bootstrap", "genesis_platform.cli"),
        ("genesis_platform.catalog.service", "genesis_platform.discovery.planner"),
        ("genesis_platform.catalog.service", "genesis_platform.bootstrap"),
        ("genesis_platform.kernel.guard", "genesis_platform.catalog"),
    ],
)
def test_the_checker_catches_forbidden_imports(importer, imported):
    assert _violation(importer, imported) is not None


def test_the_checker_allows_the_permitted_directions():
    assert _violation("genesis_platform.cli.user", "genesis_platform.bootstrap") is None
    assert _violation("genesis_platform.bootstrap", "genesis_platform.kernel.db") is None
    assert _violation("genesis_platform.catalog.service", "genesis_platform.discovery") is None
    assert _violation("genesis_platform.api.routes.users", "genesis_platform.api.deps") is None
