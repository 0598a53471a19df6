"""House rule: nothing under hardware/ imports the kiosk application."""

import ast
import pathlib

import hardware

HARDWARE = pathlib.Path(hardware.__file__).parent


def imported_modules(path: pathlib.Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_no_hardware_module_imports_kiosk():
    sources = sorted(HARDWARE.rglob("*.py"))
    assert len(sources) > 5
    offenders = {
        str(path.relative_to(HARDWARE)): module
        for path in sources
        for module in imported_modules(path)
        if module == "kiosk" or module.startswith("kiosk.")
    }
    assert offenders == {}
