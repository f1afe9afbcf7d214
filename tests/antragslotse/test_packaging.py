"""The installed distribution (the container image, a server's venv) holds every package."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_for_installation() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    roots = {name.split(".")[0] for name in listed}
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for root in roots for init in (ROOT / root).rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
