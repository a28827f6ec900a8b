"""The documentation site builds with ``mkdocs build --strict``: every page in the nav, every link and
picture found, every ``::: glassnet...`` reference resolved, both languages.

Skipped when MkDocs and its plugins are not installed (``pip install -e ".[docs]"``; the ``test``
extra includes them). The pictures are drawn by ``docs/hooks/figures.py`` during the build and are
never committed.
"""

import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEEDED = {"mkdocs": "mkdocs", "material": "mkdocs-material", "mkdocstrings": "mkdocstrings",
          "mkdocstrings_handlers.python": "mkdocstrings[python]", "mkdocs_static_i18n": "mkdocs-static-i18n"}


def _missing():
    missing = []
    for module, package in NEEDED.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(package)
    return missing


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    missing = _missing()
    if missing:
        pytest.skip(f"the documentation needs {', '.join(missing)}: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, MPLBACKEND="Agg", NO_MKDOCS_2_WARNING="1")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return out


def test_site_builds_in_both_languages(site):
    for page in ("index.html", "getting-started/index.html", "howto/from-keras/index.html",
                 "api/layers/index.html"):
        assert (site / page).is_file(), page
        assert (site / "zh" / page).is_file(), "zh/" + page
    english = (site / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="zh"' in english or "/zh/" in english, "no language switch on the English home page"


def test_api_reference_is_generated(site):
    html = (site / "api" / "layers" / "index.html").read_text(encoding="utf-8")
    assert "glassnet.layers.core.dense.Dense" in html or 'id="glassnet.layers' in html


def test_pictures_are_drawn_by_the_build(site):
    sys.path.insert(0, os.path.join(ROOT, "docs", "hooks"))
    try:
        import figures
    finally:
        sys.path.pop(0)
    for name in figures.FIGURES:
        assert (site / "img" / f"{name}.png").is_file(), name
        assert (site / "zh" / "img" / f"{name}.png").is_file(), "zh: " + name
    tracked = subprocess.run(["git", "ls-files", "docs"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode == 0:
        pngs = [p for p in tracked.stdout.split() if p.endswith(".png")]
        assert not pngs, f"generated pictures are committed: {pngs}"
