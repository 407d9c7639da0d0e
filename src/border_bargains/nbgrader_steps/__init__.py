"""The course's steps in nbgrader's pipelines, one step per module, as nbgrader lays out its preprocessors.

They are named in ``nbgrader_config.py``, so ``nbgrader autograde`` and ``border-bargains autograde`` grade
alike. Generate: :mod:`.release_guides`. Autograde, before grading (nbgrader's "sanitize" steps):
:mod:`.restore`, :mod:`.quarantine`, :mod:`.check_metadata`; grading: :mod:`.execute` (only when notebooks run,
with kernels from :mod:`.sandbox` and :mod:`.guard`), :mod:`.scrub`, :mod:`.score`, :mod:`.late`.
:mod:`.settings` holds every course setting these steps and the instructor commands read; :mod:`.notes` the
notes a step leaves for the instructor's summary.

Nothing is imported here: a grading kernel imports :mod:`.guard` alone, without nbgrader.
"""
