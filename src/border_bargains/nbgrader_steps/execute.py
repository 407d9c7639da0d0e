"""Running a student's notebook while grading (off unless ``c.Execute.enabled = True``)."""

from __future__ import annotations

from nbgrader.preprocessors import Execute

from border_bargains.nbgrader_steps.notes import PREFIX


class SandboxedExecute(Execute):
    """nbgrader's Execute, with each kernel started by :class:`.sandbox.SandboxedKernelManager`.

    nbgrader's Execute fixes its kernel manager class in ``__init__``, over any configuration, so the
    course names its own here. Off unless ``c.Execute.enabled = True``: scoring never needs it.
    """

    def __init__(self, *args, **kwargs):
        from border_bargains.nbgrader_steps.sandbox import SandboxedKernelManager

        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources, km=None):
        from border_bargains.nbgrader_steps.sandbox import SandboxedKernelManager, sandbox_mode

        mode = sandbox_mode(SandboxedKernelManager(config=self.config).mode)
        self.log.info("%s running the notebook in a grading kernel (%s)", PREFIX,
                      "bubblewrap sandbox" if mode == "bubblewrap" else "audit-hook guard, no OS sandbox here")
        return super().preprocess(nb, resources, km=km)
