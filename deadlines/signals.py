"""Signals of deadlines, for the apps above it to answer (deadlines imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by the daily check (services.deadlines_mark) with `today`, before it marks the
# clocks; each receiver returns the list of Deadlines it opened (Rules §6: sbsh opens
# each state body's yearly clock, sbsh/receivers.py).
daily_check = Signal()
