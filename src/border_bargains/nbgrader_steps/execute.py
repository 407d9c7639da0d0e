"""Running a student's notebook while grading (off unless ``c.Execute.enabled = True``)."""

from __future__ import annotations

from nbgrader.preprocessors import Execute

from border_bargains.nbgrader_steps.notes import record

# What a cell stopped at the time limit shows (nbgrader interrupts it: c.Execute.interrupt_on_timeout).
STOPPED = ("KeyboardInterrupt", "CellTimeoutError")


class SandboxedExecute(Execute):
    """nbgrader's Execute, with each kernel started through :class:`.sandbox.SandboxProvisioner`.

    nbgrader's Execute fixes its kernel manager class in ``__init__``, over any configuration, so the
    course names its own here. Off unless ``c.Execute.enabled = True``: scoring never needs it.
    """

    def __init__(self, *args, **kwargs):
        from border_bargains.nbgrader_steps.sandbox import SandboxedKernelManager

        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources, km=None):
        from border_bargains.nbgrader_steps.sandbox import SandboxProvisioner, sandbox_mode

        mode = sandbox_mode(SandboxProvisioner.configured_mode(self.config))
        self.log.info("running the notebook in a grading kernel (%s)",
                      "bubblewrap sandbox" if mode == "bubblewrap" else "audit-hook guard, no OS sandbox here")
        nb, resources = super().preprocess(nb, resources, km=km)
        if any(out.get("output_type") == "error" and out.get("ename") in STOPPED
               for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])):
            record(self, resources, "timeout", "a cell ran past the time limit and was stopped (scored 0)")
        return nb, resources
