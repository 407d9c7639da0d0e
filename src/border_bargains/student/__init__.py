"""What a student's kernel runs: the notebook helpers (``bb.assignment``, ``bb.practice``), widgets and their
front-end controls, viewers, explorers, charts, tables, the datasets, and the student's own commands
(``python -m border_bargains.student.salvage``, ``python -m border_bargains.student.setup``).

Uses :mod:`border_bargains.core`; never nbgrader's pipeline or the instructor's commands.
"""
