# Production image: gunicorn for the web service, the same image for the Celery worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=xingping_tracker.settings.production

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

# A non-root user owns only what it must write: collected static files and uploads.
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/staticfiles /app/media \
    && chown app:app /app/staticfiles /app/media

COPY . .

USER app

EXPOSE 8000

CMD ["gunicorn", "xingping_tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
