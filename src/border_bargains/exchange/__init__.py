"""The course's nbgrader exchange: nbgrader's own file-system exchange, made safe on a shared server.

nbgrader picks these classes through its plug-in point, ``c.ExchangeFactory`` in ``nbgrader_config.py``:

* :class:`~border_bargains.exchange.collect.CheckedCollect` collects only what the server vouches for: a
  submission's sender is the Unix account that owns it, and its time is the newest change time (``st_ctime``,
  which no user can set back) of anything in it. See its docstring for the rules.
* :class:`~border_bargains.exchange.release_feedback.ReadableReleaseFeedback` releases feedback readable by its
  student whatever the instructor's umask.
* :mod:`border_bargains.exchange.setup` creates the exchange's folders at set-up, with nbgrader's modes, so no
  student can take them first (``border-bargains exchange-setup``).
"""

#: Every line a course exchange step reports to the instructor starts with this, so ``border-bargains`` can pick
#: them out of nbgrader's log and print them (nbgrader's own log is kept out of the summary).
REPORT_MARK = "[course exchange]"
