"""What every instructor command prints: one line at a time, and nbgrader's failures as one plain line."""

from __future__ import annotations

from border_bargains.instructor.course_root import CourseError


def say(text: str = "") -> None:
    print(text, flush=True)


def require_success(result: dict, step: str, name: str) -> None:
    """nbgrader's API reports failure in its result (a log and a traceback); turn that into one plain line."""
    if not result.get("success"):
        text = f"{result.get('log') or ''}\n{result.get('error') or ''}"
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        errors = [ln for ln in lines if "ERROR" in ln or "Error:" in ln or "fail" in ln.lower()]
        reason = (errors or lines or ["nbgrader gave no reason"])[-1]
        reason = reason.split("ERROR]", 1)[-1].strip(" :")
        if "add --force" in reason and step == "release":
            reason = (f"{name} is already released; to release it again (students who fetched it keep their copy), "
                      f"run: make release A=\"{name} --force\"")
        raise CourseError(f"{step} failed for {name}: {reason[:400]}")
