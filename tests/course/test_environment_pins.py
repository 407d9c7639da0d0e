"""requirements.txt (the pip lock), requirements.in and environment.yml must agree."""

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


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


# ---- the Python floor: what the README and the Makefile promise is what the lock really needs ----
DEBIAN_12_PYTHON = "3.11.2"  # Debian 12's own python3, the documented hub server's system Python
UBUNTU_2404_PYTHON = "3.12.3"


def stated_floors():
    """The floor as the README and the Makefile's check state it."""
    readme = re.search(r"You need only Python (3\.\d+(?:\.\d+)?) or newer", (REPO / "README.md").read_text())
    make = re.search(r"sys\.version_info >= \((3), (\d+)(?:, (\d+))?\)", (REPO / "Makefile").read_text())
    project = re.search(r'requires-python = ">=(3\.\d+(?:\.\d+)?)"', (REPO / "pyproject.toml").read_text())
    assert readme and make and project, "README, Makefile or pyproject.toml no longer states a Python floor"
    return readme[1], ".".join(g for g in make.groups() if g), project[1]


def requires_python_of_the_lock():
    """Each locked package's Requires-Python, from the installed distributions' metadata (the venv holds the lock)."""
    import importlib.metadata as md

    lock = lock_pins()
    found = {}
    for dist in md.distributions():
        name = norm(dist.metadata["Name"])
        if name in lock:
            assert dist.version == lock[name], f"venv: {name} {dist.version}, lock: {lock[name]}; make install"
            found[name] = dist.metadata.get("Requires-Python") or ""
    missing = set(lock) - set(found)
    assert not missing, f"locked but not installed in this environment: {sorted(missing)}"
    return found


def unmet(python: str) -> dict:
    from packaging.specifiers import SpecifierSet

    return {name: spec for name, spec in requires_python_of_the_lock().items()
            if spec and not SpecifierSet(spec).contains(python, prereleases=True)}


def test_readme_makefile_and_pyproject_state_the_same_python_floor():
    readme, make, project = stated_floors()
    norm_v = [tuple(int(x) for x in v.split(".")) + (0,) * (3 - len(v.split("."))) for v in (readme, make, project)]
    assert len(set(norm_v)) == 1, f"README says {readme}, the Makefile checks {make}, pyproject.toml {project}"


def test_every_locked_package_installs_on_the_stated_floor_and_on_debian_12_and_ubuntu_2404():
    floor = stated_floors()[0]
    floor = floor if floor.count(".") == 2 else floor + ".0"
    for python, who in ((floor, "the README's floor"), (DEBIAN_12_PYTHON, "Debian 12's python3"),
                        (UBUNTU_2404_PYTHON, "Ubuntu 24.04's python3")):
        bad = unmet(python)
        assert not bad, (f"Python {python} ({who}) cannot install {bad}: pin versions that support it in "
                         "requirements.in (then make lock), or raise the floor in README, Makefile and pyproject")


def test_the_floor_check_catches_a_pin_that_needs_a_newer_python():
    from packaging.specifiers import SpecifierSet

    # soupsieve 4.1.2 (the pin that broke Debian 12) declares >=3.11.5.
    assert not SpecifierSet(">=3.11.5").contains(DEBIAN_12_PYTHON)
    assert SpecifierSet(">=3.10").contains(DEBIAN_12_PYTHON)
