"""requirements.txt (the pip lock), requirements.in and environment.yml must agree."""

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins():
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.txt: {line!r} is not pinned with =="
            pins[norm(name)] = version
    return pins


def direct_deps():
    lines = (REPO / "requirements.in").read_text().splitlines()
    names = (re.split(r"[=<>!~ ]", line.split("#")[0].strip())[0] for line in lines)
    return {norm(name) for name in names if name}


def conda_pins():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        for entry in entries:
            match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*==?\s*([^\s]+)", entry)
            if match and norm(match[1]) not in {"python"}:
                pins[norm(match[1])] = match[2]
    return env, pins


def test_every_direct_dependency_is_locked():
    missing = direct_deps() - set(lock_pins())
    assert not missing, f"requirements.txt lacks {sorted(missing)}: run `make lock`"


def test_environment_yml_lists_the_same_packages_at_the_same_versions():
    _env, pins = conda_pins()
    lock = lock_pins()
    missing = direct_deps() - set(pins)
    assert not missing, f"environment.yml lacks {sorted(missing)} (listed in requirements.in)"
    wrong = {name: (version, lock.get(name)) for name, version in pins.items() if lock.get(name) != version}
    assert not wrong, "environment.yml and requirements.txt disagree (environment.yml, requirements.txt): " + str(wrong)


def test_environment_yml_installs_the_helper_package_for_binder():
    env, _pins = conda_pins()
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
    assert "conda-forge" in env["channels"]
