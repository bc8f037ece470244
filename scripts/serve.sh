#!/usr/bin/env bash
# Production run: gunicorn (2+ workers), a Celery worker and Celery beat (DatabaseScheduler),
# against PostgreSQL and Redis named in the environment, with mattran.settings.production.
# Migrates and collects static files first; Ctrl-C or SIGTERM stops all three. The web tier does
# not depend on the broker: a worker or beat that stops (Redis away for a long time, a crash) is
# started again after a pause, while gunicorn keeps serving; only gunicorn's death stops the
# script, so a supervisor (systemd) sees the failure. Several hosts may run this script: one beat
# sends the schedule, the others stand by (mattran.beat). SERVE_BEAT=0 starts no beat here.
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

# Run a command again whenever it stops, until this script stops it.
supervise() {
  local child=""
  trap 'if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child"; fi; exit 0' TERM INT
  while true; do
    "$@" &
    child=$!
    wait "$child" || true
    echo "serve: $2 $3 stopped; starting it again in 5 s" >&2
    sleep 5
  done
}

"$VENV/bin/gunicorn" mattran.wsgi:application --bind "$BIND" --workers "$WORKERS" \
  --access-logfile - --graceful-timeout 20 --timeout 60 &
web=$!
pids+=("$web")
supervise "$VENV/bin/celery" -A mattran worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" &
pids+=($!)
if [ "${SERVE_BEAT:-1}" != 0 ]; then
  supervise "$VENV/bin/celery" -A mattran beat --loglevel INFO --pidfile= &
  pids+=($!)
fi
echo "serve: gunicorn ${WORKERS} workers on http://${BIND}, celery worker and beat (pids ${pids[*]})"

# Gunicorn stopping (a crash, or a signal handled above) stops the rest and is reported.
status=0
wait "$web" || status=$?
echo "serve: gunicorn exited (status ${status}); stopping the others" >&2
exit "$status"
