"""Every configurable setting the course's code defines is documented in docs/settings.md, with its help."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

from sample_course import REPO
from traitlets.config import Configurable

import border_bargains

DOC = REPO / "docs" / "settings.md"


def course_settings() -> dict[str, str]:
    found = {}
    for info in pkgutil.walk_packages(border_bargains.__path__, "border_bargains."):
        if info.name.endswith(".guard"):
            continue  # imported only inside grading kernels, defines no setting
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Configurable) and obj.__module__ == module.__name__:
                for name, trait in obj.class_own_traits(config=True).items():
                    found[f"{obj.__name__}.{name}"] = trait.help
    return found


def test_the_course_defines_settings_at_all():
    assert "CourseSettings.submission_timeout" in course_settings()


def test_every_setting_is_documented_with_a_help_text():
    documented = set(re.findall(r"^\| `(\w+\.\w+)` \|", DOC.read_text(encoding="utf-8"), flags=re.M))
    settings = course_settings()
    assert not set(settings) - documented, f"settings missing from docs/settings.md: {set(settings) - documented}"
    extra = documented - set(settings)
    assert not extra, f"docs/settings.md lists settings the code has not: {extra}"
    assert all(settings.values()), "every setting has a help text"


def test_the_config_check_knows_every_class_that_has_settings():
    """course_root.check_config refuses misspelt settings of the classes it knows: it must know them all."""
    from border_bargains.instructor.course_root import course_classes

    owners = {name.split(".")[0] for name in course_settings()}
    assert owners <= set(course_classes()), owners - set(course_classes())


def test_environment_variables_are_read_only_in_nbgrader_config():
    readers = []
    for path in (REPO / "src").rglob("*.py"):
        if re.search(r"os\.environ(\.get)?\(?\[?[\"']BORDER_BARGAINS_(DB_URL|EXCHANGE)", path.read_text()):
            readers.append(str(path.relative_to(REPO)))
    assert readers == [], f"read outside nbgrader_config.py: {readers}"
