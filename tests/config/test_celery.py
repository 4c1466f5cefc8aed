"""Tasks run in-process on the embedded default and through a real Redis broker in CI."""

from __future__ import annotations

import pytest
from django.core import mail

from councils.tasks import email_send


def test_tasks_run_in_process_on_the_embedded_default(settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    result = email_send.delay(["a@example.kz"], "Тақырып", "Мәтін")
    assert result.get(timeout=5) == 1
    assert mail.outbox[-1].subject == "Тақырып"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_tasks_from_redis(settings) -> None:
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    app.conf.result_backend = settings.REDIS_URL
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = email_send.delay(["b@example.kz"], "Redis арқылы", "Body")
            assert result.get(timeout=20) == 1
        assert result.backend.__class__.__name__ == "RedisBackend"
        assert [m.subject for m in mail.outbox] == ["Redis арқылы"]
    finally:
        app.conf.task_always_eager = True
