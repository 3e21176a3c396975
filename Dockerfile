# Silta's image: the web process by default (gunicorn), the task cluster with
# `python manage.py qcluster`. docker-compose.yml runs both with PostgreSQL; see the README,
# "Running in production". Configuration comes from the environment (.env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system silta && useradd --system --gid silta --home-dir /app --no-create-home silta

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files go into the image (WhiteNoise serves them from staticfiles/). The settings refuse
# to load with DEBUG off without these three; the values here serve this build step only.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    SILTA_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXNlY3JldCE= \
    python manage.py collectstatic --noinput

USER silta
ENV GUNICORN_BIND=0.0.0.0:8000
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi"]
