#!/usr/bin/env bash
# One scheduled crawl: lock, a log file per run, log rotation, and an exit code cron can mail on.
#
#   LAWGOV_HOME   project checkout with its .venv        (default: this script's parent folder)
#   LAWGOV_PORTALS portal registry                        (default: $LAWGOV_HOME/portals.yaml)
#   LAWGOV_DB     archive                                 (default: $LAWGOV_HOME/data/archive.db)
#   LAWGOV_LOGDIR where run logs go                       (default: $LAWGOV_HOME/data/logs)
#   LAWGOV_KEEP_LOGS how many run logs to keep            (default: 60)
#   LAWGOV_CONTACT your e-mail, added to the User-Agent (please set it)
#   LAWGOV_CRAWL_ARGS extra arguments for `lawgov crawl` (word-split), e.g. "--proxy http://…"
#   LAWGOV_RECHECK_DAYS re-ask archived articles with a conditional request about every N days
#                 (default: lawgov's, 30; 0 rechecks every archived article on this run)
#
# Each run is incremental: list pages are fetched, archived articles are not downloaded again unless
# a list shows a later date or their recheck is due (then a conditional request, a 304 if unchanged).
# That state lives in the archive itself. Do NOT give the crawl a Scrapy JOBDIR: a reused JOBDIR
# skips every URL it has ever seen, list pages included, so new reports would never be found. A
# killed run needs nothing either: the next run marks it 'interrupted' and finishes the work.
#
# Exit codes: 0 success, 1 partial failure (finished with fetch errors), 2 failure (bad input or
# crash), 75 another crawl holds the lock (nothing done).
set -uo pipefail

home="${LAWGOV_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
portals="${LAWGOV_PORTALS:-$home/portals.yaml}"
db="${LAWGOV_DB:-$home/data/archive.db}"
logdir="${LAWGOV_LOGDIR:-$home/data/logs}"
keep="${LAWGOV_KEEP_LOGS:-60}"
lawgov="$home/.venv/bin/lawgov"

mkdir -p "$logdir"
exec 9>"$logdir/.lock"
if ! flock -n 9; then
    echo "lawgov-cron: another crawl is running (lock $logdir/.lock held); exiting" >&2
    exit 75
fi

log="$logdir/crawl-$(date -u +%Y%m%dT%H%M%SZ).log"
(
    echo "lawgov-cron: start $(date -u +%FT%TZ) portals=$portals db=$db"
    # shellcheck disable=SC2086  # extra args are meant to be split
    "$lawgov" crawl --portals "$portals" --db "$db" --log-level INFO \
        ${LAWGOV_RECHECK_DAYS:+--recheck-days "$LAWGOV_RECHECK_DAYS"} ${LAWGOV_CRAWL_ARGS:-}
    rc=$?
    echo "lawgov-cron: end $(date -u +%FT%TZ) exit=$rc"
    exit $rc
) >"$log" 2>&1
rc=$?

# Rotation: compress finished logs but the newest, keep the newest $keep.
ls -1t "$logdir"/crawl-*.log 2>/dev/null | tail -n +2 | xargs -r gzip -f
ls -1t "$logdir"/crawl-*.log* 2>/dev/null | tail -n +"$((keep + 1))" | xargs -r rm -f

case $rc in
    0) exit 0 ;;
    1) echo "lawgov-cron: partial failure, see $log" >&2; exit 1 ;;
    *) echo "lawgov-cron: failed (exit $rc), see $log" >&2; exit 2 ;;
esac
