"""Signals of exports: the services ask, the Celery tasks answer (exports/tasks.py imports
the services, never the reverse)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the commit that requested a rendering, with `rendering_id`; exports/tasks.py
# queues the render (or, on the embedded default, renders beside the request).
rendering_requested = Signal()
