"""The platform's layers: teams stands below credits and never imports it; both write the audit log in studio.core."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

STUDIO = Path(settings.BASE_DIR) / "studio"


def _imports(package):
    """(module file, imported module name) for every import, at any depth, in a package's Python files."""
    for path in sorted((STUDIO / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                yield path.relative_to(STUDIO.parent), node.module
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    yield path.relative_to(STUDIO.parent), alias.name


def test_teams_never_imports_credits():
    found = [f"{path}: {module}" for path, module in _imports("teams") if module.startswith("studio.credits")]
    assert not found, "teams must not import credits (hook in through studio.teams.signals): " + "; ".join(found)


@pytest.mark.parametrize("package", ["credits", "api"])
def test_the_audit_log_is_written_through_studio_core(package):
    found = [f"{path}: {module}" for path, module in _imports(package) if module == "studio.teams.services"]
    assert not found, "write the audit log with studio.core.services.audit_record: " + "; ".join(found)


def test_the_core_models_and_services_import_no_app_above_them():
    found = [
        f"{path}: {module}"
        for path, module in _imports("core")
        if path.name in ("models.py", "services.py", "http.py", "forms.py", "admin.py")
        and module.startswith(("studio.teams", "studio.credits", "library", "studio.generation"))
    ]
    assert not found, "; ".join(found)
