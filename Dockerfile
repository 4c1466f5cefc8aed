# Production image: gunicorn serves the app; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends \
        fonts-liberation2 libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext curl \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 sqf
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY councils ./councils
COPY classifiers ./classifiers
COPY deadlines ./deadlines
COPY sbsh ./sbsh
COPY exports ./exports
RUN pip install .
COPY . .
RUN python manage.py compilemessages -v0 \
    && SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n') python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/var && chown -R sqf /app/var
USER sqf
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
