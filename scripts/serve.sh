#!/usr/bin/env bash
# Production run: gunicorn (2+ workers), a Celery worker and Celery beat (DatabaseScheduler),
# against PostgreSQL and Redis named in the environment, with mattran.settings.production.
# Migrates and collects static files first; Ctrl-C or SIGTERM stops all three; if one of them
# dies the others are stopped too, so a supervisor (systemd) sees the failure.
#
# Required: DATABASE_URL, CELERY_BROKER_URL, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS.
# Optional: BIND (127.0.0.1:$PORT), PORT (8000), WEB_CONCURRENCY (2), CELERY_CONCURRENCY (2),
#           DJANGO_CSRF_TRUSTED_ORIGINS, DJANGO_SECURE_SSL_REDIRECT, CELERY_RESULT_BACKEND, VENV (.venv).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL, e.g. postgres://mattran:secret@127.0.0.1:5432/mattran}"
: "${CELERY_BROKER_URL:?set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0}"
: "${DJANGO_SECRET_KEY:?set DJANGO_SECRET_KEY to 50 or more random characters}"
: "${DJANGO_ALLOWED_HOSTS:?set DJANGO_ALLOWED_HOSTS, e.g. mattran.langson.gov.vn}"
export DATABASE_URL CELERY_BROKER_URL DJANGO_SECRET_KEY DJANGO_ALLOWED_HOSTS
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-mattran.settings.production}"

VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
BIND="${BIND:-127.0.0.1:${PORT:-8000}}"
WORKERS="${WEB_CONCURRENCY:-2}"
if [ "$WORKERS" -lt 2 ]; then WORKERS=2; fi

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap 'stop; exit 0' INT TERM
trap 'stop' EXIT

"$VENV/bin/gunicorn" mattran.wsgi:application --bind "$BIND" --workers "$WORKERS" \
  --access-logfile - --graceful-timeout 20 --timeout 60 &
pids+=($!)
"$VENV/bin/celery" -A mattran worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" &
pids+=($!)
"$VENV/bin/celery" -A mattran beat --loglevel INFO \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler --pidfile= &
pids+=($!)
echo "serve: gunicorn ${WORKERS} workers on http://${BIND}, celery worker and beat (pids ${pids[*]})"

# Whichever stops first (a crash, or a signal handled above), stop the rest and report it.
status=0
wait -n || status=$?
echo "serve: a process exited (status ${status}); stopping the others" >&2
exit "$status"
