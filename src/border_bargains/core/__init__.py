"""The course's pure core: exercise specs and keys, answers files, typed answers, scoring, the term's dates.

Nothing here imports Jupyter, nbgrader or ipywidgets, so the same rules hold in a student's kernel, in
nbgrader's pipeline and in the instructor's commands, and each can be tested on its own.
"""
