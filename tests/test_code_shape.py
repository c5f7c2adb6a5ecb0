"""The shape the code keeps (issue 12): no module of the apps over 400 lines
and no function over 60, so that no file becomes a dumping ground and every
function can be read on one screen. Migrations are generated and left out;
so are the tests."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "tenants", "notices", "visits")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return sorted(
        path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.relative_to(ROOT).parts
    )


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def long_modules(paths) -> list[str]:
    found = []
    for path in paths:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{_name(path)}: {lines} lines")
    return found


def long_functions(paths) -> list[str]:
    """Every function and method, nested ones too, from its `def` line to its
    last line (decorators and the blank lines after it not counted)."""
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{_name(path)}:{node.lineno} {node.name}: {lines} lines")
    return found


def test_the_apps_are_scanned():
    names = {_name(path) for path in _modules()}
    assert {"portal/settings/base.py", "tenants/models/service_desk.py", "visits/urls.py"} <= names
    assert not any("/migrations/" in name for name in names)


def test_no_module_is_over_400_lines():
    assert long_modules(_modules()) == []


def test_no_function_is_over_60_lines():
    assert long_functions(_modules()) == []


def test_the_rule_catches_a_module_and_a_function_one_line_too_long(tmp_path):
    body = "".join(f"    x{n} = {n}\n" for n in range(MAX_FUNCTION_LINES))  # with its def: 61 lines
    path = tmp_path / "too_long.py"
    path.write_text("def f():\n" + body + "\n" * (MAX_MODULE_LINES - MAX_FUNCTION_LINES), encoding="utf-8")
    assert long_functions([path]) == ["too_long.py:1 f: 61 lines"]
    assert long_modules([path]) == ["too_long.py: 401 lines"]
