"""Documentation that must not fall behind the code."""

from __future__ import annotations

import re
from pathlib import Path

from nattvandring.settings import load_defaults

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_with_its_default():
    reference = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [key for key in load_defaults() if f"| `{key}` |" not in reference]
    assert missing == []


def test_readme_quick_start_is_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme


def test_the_readme_shows_screenshots_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]+\]\(([^)]+\.png)\)", readme)
    assert len(images) >= 4
    assert [image for image in images if not (ROOT / image).is_file()] == []
