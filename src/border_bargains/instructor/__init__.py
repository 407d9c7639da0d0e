"""The instructor's side of the course: one command per nbgrader step (``border-bargains --help``)."""
