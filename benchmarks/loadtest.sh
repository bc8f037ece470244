#!/usr/bin/env bash
# make loadtest (not part of CI): wrk on loopback for LOADTEST_DURATION (60s) at LOADTEST_CONNECTIONS (50)
# against gunicorn with 2 workers and PostgreSQL (its own database), signed in as `tinh`. Endpoints: the
# dashboard (cached, and without its page cache), the inbox, the home page, a grid save (as a district
# officer) and a bare Django view as the baseline. Writes its table to the "Load test" section of
# benchmarks/RESULTS.md.
#
# Data (LOADTEST_DATA):
#   demo      (default) Lạng Sơn from import_units and seed_demo, in LOADTEST_DB (mt_loadtest);
#   national  the national data set of `make bench ONLY=targets` (63 provinces, 100,510 areas, 2.26 M
#             values of 2019), copied from the database that bench keeps with BENCH_KEEP_DB=1
#             (LOADTEST_NATIONAL_SOURCE, mattran_nat_bench_targets) into LOADTEST_DB
#             (mt_loadtest_national), with the demo's accounts for Lạng Sơn (20) and district 178's
#             September 2019 report returned for the grid (the copy takes half a minute, the prep
#             and a year's recompute another); the pages ask for 2019. Its table goes to the
#             "Load test, national data set" section.
#
# Optional: LOADTEST_PG (postgres://postgres@127.0.0.1:5432), LOADTEST_DB, LOADTEST_PORT (8799),
#           LOADTEST_DURATION (60s), LOADTEST_CONNECTIONS (50), LOADTEST_THREADS (4), LOADTEST_WORKERS (2),
#           LOADTEST_RESEED=1 to drop and rebuild the database, CACHE_URL (rediscache://127.0.0.1:6379/2).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
PG="${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}"
DATA="${LOADTEST_DATA:-demo}"
case "$DATA" in
  demo)
    DB="${LOADTEST_DB:-mt_loadtest}"; SOURCE=""; QUERY=""; MARKER="loadtest"; HEADING="Load test"
    DATA_TEXT="Lạng Sơn from import_units, seed_demo"
    DEFAULT_GRID_PATH="/bao-cao/bao_cao_thang/178/2020-09/" ;;  # returned in seed_demo: editable
  national)
    DB="${LOADTEST_DB:-mt_loadtest_national}"; SOURCE="${LOADTEST_NATIONAL_SOURCE:-mattran_nat_bench_targets}"
    QUERY="?year=2019"; MARKER="loadtest-national"; HEADING="Load test, national data set"
    DATA_TEXT="the national data set of make bench ONLY=targets, 2019; the pages ask for 2019"
    DEFAULT_GRID_PATH="/bao-cao/bao_cao_thang/178/2019-09/" ;;  # returned when the copy is made
  *) echo "loadtest: LOADTEST_DATA is demo or national, not ${DATA}" >&2; exit 2 ;;
esac
PORT="${LOADTEST_PORT:-8799}"
DURATION="${LOADTEST_DURATION:-60s}"
CONNECTIONS="${LOADTEST_CONNECTIONS:-50}"
THREADS="${LOADTEST_THREADS:-4}"
WORKERS="${LOADTEST_WORKERS:-2}"
BASE="http://127.0.0.1:${PORT}"
WORK="$(mktemp -d)"

if ! command -v wrk >/dev/null; then
  echo "loadtest: installing wrk from Debian packages"
  apt-get update -qq && apt-get install -y -qq wrk
fi

export DATABASE_URL="${PG}/${DB}"
export DJANGO_SETTINGS_MODULE=benchmarks.settings  # production settings plus /healthz/bare
export DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(60))')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECURE_SSL_REDIRECT=false  # plain HTTP on loopback
export DJANGO_LOG_LEVEL=WARNING
export DATABASE_CONN_MAX_AGE="${DATABASE_CONN_MAX_AGE:-60}"  # persistent connections, as in production
export CACHE_URL="${CACHE_URL:-rediscache://127.0.0.1:6379/2}"  # shared cache: dashboard pages, sessions
unset CELERY_BROKER_URL  # tasks run in-process; the load test measures the web tier

echo "loadtest: database ${DB}"
"$PY" - "$PG" "$DB" "${LOADTEST_RESEED:-0}" "$SOURCE" <<'PYEOF'
import sys
import psycopg2
base, name, reseed, source = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
conn = psycopg2.connect(f"{base}/postgres")
conn.autocommit = True
with conn.cursor() as cur:
    if reseed:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if not cur.fetchone():
        if source:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [source])
            if not cur.fetchone():
                sys.exit(f"loadtest: no database {source}: build the national data set first with\n"
                         f"  BENCH_KEEP_DB=1 DATABASE_URL={base}/{source.removesuffix('_bench_targets')} make bench ONLY=targets")
            print(f"loadtest: copying {source} into {name}")
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        else:
            cur.execute(f'CREATE DATABASE "{name}"')
PYEOF
"$PY" manage.py migrate --noinput --verbosity 0
if ! "$PY" manage.py shell -c "from django.contrib.auth.models import User; raise SystemExit(0 if User.objects.filter(username='tinh').exists() else 1)"; then
  if [ "$DATA" = national ]; then
    echo "loadtest: the demo's accounts for Lạng Sơn; district 178's September 2019 report returned"
    "$PY" manage.py shell -c "
import sys
sys.path.insert(0, 'benchmarks')
from bench_targets import monthly_values_consistent
from demo.accounts import demo_accounts_ensure
from mattran.models import Unit, UnitKind
from reports.models import Submission, SubmissionStatus
from reports.targets.runs import year_recompute
demo_accounts_ensure(Unit.objects.get(code='20', kind=UnitKind.PROVINCE))
returned = Submission.objects.filter(form__code='bao_cao_thang', unit__code='178', period='2019-09')
assert returned.update(status=SubmissionStatus.RETURNED) == 1
monthly_values_consistent('178')  # a data set built before the bench made them pass the grid's checks
year_recompute(year=2019)  # its values no longer count
"
  else
    echo "loadtest: seeding (import_units --province 20, seed_demo)"
    "$PY" manage.py import_units --province 20
    "$PY" manage.py seed_demo
  fi
fi
# Planner statistics: a server with autovacuum off (this machine kind's) never gathers them by
# itself, and without them the dashboard's roll-up read loops over every submission (9 ms, not 0.2).
"$PY" manage.py shell -c "from django.db import connection; connection.cursor().execute('ANALYZE')"
"$PY" manage.py collectstatic --noinput --verbosity 0

"$VENV/bin/gunicorn" mattran.wsgi:application --bind "127.0.0.1:${PORT}" --workers "$WORKERS" \
  --log-level warning --error-logfile "$WORK/gunicorn.log" &
GUNICORN=$!
cleanup() { kill -TERM "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM
for _ in $(seq 1 50); do curl -fs "$BASE/healthz/bare" >/dev/null && break; sleep 0.2; done

# Sign in with a real login POST; cookies are Secure in production, so read them by hand.
cookie() { sed -n "s/^set-cookie: $1=\([^;]*\);.*/\1/ip" "$2" | tail -1; }
login() {  # login USERNAME -> prints "csrftoken=…; sessionid=…"
  curl -s -D "$WORK/get.h" -o /dev/null "$BASE/dang-nhap/"
  local csrf session
  csrf="$(cookie csrftoken "$WORK/get.h")"
  curl -s -D "$WORK/post.h" -o /dev/null -H "Cookie: csrftoken=${csrf}" \
    --data-urlencode "csrfmiddlewaretoken=${csrf}" --data-urlencode "username=$1" \
    --data-urlencode "password=matran@2016" "$BASE/dang-nhap/"
  session="$(cookie sessionid "$WORK/post.h")"
  if [ -z "$session" ]; then
    echo "loadtest: login as $1 failed:" >&2; cat "$WORK/post.h" >&2; return 1
  fi
  echo "csrftoken=${csrf}; sessionid=${session}"
}
COOKIE="$(login tinh)"
GRID_USER="${LOADTEST_GRID_USER:-huyen.178}"
GRID_PATH="${LOADTEST_GRID_PATH:-$DEFAULT_GRID_PATH}"
GRID_COOKIE="$(login "$GRID_USER")"

ROWS=()
measure() {  # measure LABEL PATH COOKIE EXPECTED_STATUS [WRK ARGS...]
  local label="$1" path="$2" cookies="$3" expected="$4"; shift 4
  local status
  if [ "$label" = "grid_save" ]; then
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ${cookies}" \
      -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$WORK/grid.body" "$BASE$path")"
  else
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: ${cookies}" "$BASE$path")"
  fi
  if [ "$status" != "$expected" ]; then
    echo "loadtest: ERROR ${label} ${path} answers ${status} (expected ${expected}) before the run; skipped" >&2
    ROWS+=("| ${label} | \`${path}\` | — | — | — | ERROR: HTTP ${status} before the run |")
    return 0
  fi
  echo "loadtest: ${label} ${path} for ${DURATION} at ${CONNECTIONS} connections"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -H "Cookie: ${cookies}" "$@" "$BASE$path" \
    | tee "$WORK/$label.txt"
  local rps total p50 p99 bad sock
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$WORK/$label.txt")"
  total="$(awk '/requests in/ {print $1}' "$WORK/$label.txt")"
  p50="$(awk '$1 == "50%" {print $2}' "$WORK/$label.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "$WORK/$label.txt")"
  bad="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$WORK/$label.txt")"
  sock="$(awk '/Socket errors:/ {print $0}' "$WORK/$label.txt" | sed 's/^ *//')"
  ROWS+=("| ${label} | \`${path}\` | ${rps} | ${total} | ${p50} / ${p99} | ${bad:-0} 4xx/5xx${sock:+; $sock} |")
  echo "$rps" > "$WORK/$label.rps"
}

# The grid save posts the page's own values back (validation and comparison of every cell, no
# change to write), so every request is a full save that the optimistic version check accepts.
curl -s -H "Cookie: ${GRID_COOKIE}" "$BASE$GRID_PATH" > "$WORK/grid.html"
"$PY" - "$WORK/grid.html" "$GRID_COOKIE" > "$WORK/grid.body" <<'PYEOF'
import re
import sys
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode

class Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields, self.select = [], None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name") or ""
        if tag == "input" and (name.startswith("v-") or name in ("version", "page")) and "disabled" not in a:
            self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name.startswith("v-") and "disabled" not in a:
            self.select = name
            self.fields.append((name, ""))
        elif tag == "option" and self.select and "selected" in a:
            self.fields[-1] = (self.select, a.get("value") or "")
    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None

parser = Fields()
parser.feed(open(sys.argv[1], encoding="utf-8").read())
csrf = re.search(r"csrftoken=([^;]+)", sys.argv[2]).group(1)
sys.stdout.write(urlencode([("csrfmiddlewaretoken", csrf), *[(n, unescape(v)) for n, v in parser.fields]]))
PYEOF
cat > "$WORK/grid.lua" <<LUAEOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local f = io.open("$WORK/grid.body", "r")
wrk.body = f:read("*a")
f:close()
LUAEOF
echo "loadtest: grid save posts $(tr '&' '\n' < "$WORK/grid.body" | grep -c '^v-') cells to ${GRID_PATH} as ${GRID_USER}"

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
measure bare /healthz/bare "$COOKIE" 200
measure dashboard "/tong-quan/${QUERY}" "$COOKIE" 200
measure dashboard_uncached "/healthz/tong-quan-khong-cache/${QUERY}" "$COOKIE" 200
measure inbox /bao-cao/ "$COOKIE" 200
measure home / "$COOKIE" 200
measure grid_save "$GRID_PATH" "$GRID_COOKIE" 302 -s "$WORK/grid.lua"

ratio_of() {  # ratio_of LABEL: its throughput over the bare view's, same run
  if [ -f "$WORK/bare.rps" ] && [ -f "$WORK/$1.rps" ]; then
    awk -v d="$(cat "$WORK/$1.rps")" -v b="$(cat "$WORK/bare.rps")" 'BEGIN {printf "%.3f", d / b}'
  else
    echo "n/a"
  fi
}
ratio="$(ratio_of dashboard)"

{
  echo "## ${HEADING}"
  echo
  echo "\`make loadtest\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs: wrk ${DURATION}, ${CONNECTIONS} connections,"
  echo "${THREADS} threads, loopback; gunicorn ${WORKERS} sync workers, \`mattran.settings.production\`, PostgreSQL"
  echo "(database \`${DB}\`: ${DATA_TEXT}), signed in as \`tinh\`; grid_save posts a"
  echo "district's grid back unchanged as \`${GRID_USER}\` (every cell validated and compared, 302 expected)."
  echo "Load average before the run: ${LOAD_BEFORE} (other work on the machine skews the figures)."
  echo
  echo "| endpoint | path | requests/s | requests | latency p50 / p99 | errors |"
  echo "|---|---|---:|---:|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Dashboard throughput / bare view throughput: **${ratio}** (goal: 0.25 or more)."
  echo "Without the page cache, same run (goal: 0.10 or more each): dashboard **$(ratio_of dashboard_uncached)**,"
  echo "inbox **$(ratio_of inbox)**, grid save **$(ratio_of grid_save)**, home $(ratio_of home)."
} > "$WORK/section.md"

"$PY" - "$WORK/section.md" "$MARKER" <<'PYEOF'
import re
import sys
from pathlib import Path
# Our own section between markers, the convention of benchmarks/run.py, so neither overwrites the other.
results = Path("benchmarks/RESULTS.md")
marker = sys.argv[2]
section = f"<!-- bench:{marker} -->\n" + Path(sys.argv[1]).read_text(encoding="utf-8").rstrip() + f"\n<!-- /bench:{marker} -->"
text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmarks\n"
pattern = re.compile(rf"<!-- bench:{marker} -->.*?<!-- /bench:{marker} -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: section, text)
else:
    text = text.rstrip() + "\n\n" + section + "\n"
results.write_text(text, encoding="utf-8")
PYEOF
cat "$WORK/section.md"
if grep -q "ERROR" "$WORK/section.md"; then
  echo "loadtest: some endpoints were missing or failing (see ERROR rows)" >&2
fi
