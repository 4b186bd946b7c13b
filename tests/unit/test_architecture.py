"""The dependency rule: data/ imports no web framework and none of the app's other packages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FORBIDDEN = {"dash", "flask", "flask_login", "plotly", "dashboard", "layouts", "callbacks"}
DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize("path", sorted(DATA.rglob("*.py")), ids=lambda p: str(p.relative_to(DATA)))
def test_data_imports_no_web_code(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_layouts_do_not_import_callbacks_or_sessions():
    root = DATA.parent / "layouts"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import callbacks" not in text and "from callbacks" not in text, path
        assert "data.store.db" not in text and "flask" not in text, path


@pytest.mark.slow  # a fresh interpreter importing the whole app
def test_serving_pages_does_not_load_the_clustering_stack():
    """scikit-learn and scipy.stats (~70 MB per web worker) load only when regrouping."""
    import subprocess
    import sys

    code = (
        "import os, sys; os.environ['DATABASE_URL'] = 'sqlite://';"
        "os.environ['SECRET_KEY'] = os.urandom(32).hex();"
        "from dashboard.factory import create_app; create_app();"
        "print(sorted(m for m in ('sklearn', 'scipy.stats') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_import_contracts_hold():
    """The layers in pyproject.toml ([tool.importlinter]): dashboard -> callbacks -> layouts ->
    data, and inside data/ pages -> requirements | ingest -> queries -> privacy -> scores ->
    reference -> store."""
    import subprocess
    import sys

    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run(
        [str(lint), "--no-cache"], cwd=DATA.parent, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
