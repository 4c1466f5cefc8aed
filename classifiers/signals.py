"""Signals of classifiers, for the apps above it to answer (classifiers imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a file is loaded as a new edition (the admin upload's task, the
# load_classifier command) with `edition` and `as_lines`. Rules §15.2: sbsh answers with
# the SQF versions citing a code the edition removes or renames and tells their owners
# (sbsh/receivers.py): as plain data to keep on the import's report, or, with
# `as_lines=True`, as the lines the command prints.
edition_loaded = Signal()
