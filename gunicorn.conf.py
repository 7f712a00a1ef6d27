"""gunicorn's settings for the shop: `.venv/bin/gunicorn -c gunicorn.conf.py`.

Environment: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers; default two per CPU
plus one), GUNICORN_TIMEOUT (seconds a worker may spend on one request before it is replaced;
default 30, above DATABASE_STATEMENT_TIMEOUT plus the client's grace, so the database's
own timeout answers first), GUNICORN_MAX_REQUESTS (recycle a worker after this many requests;
default 0, never: see below).
"""

import multiprocessing
import os

wsgi_app = "wsgi:app"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"  # the reverse proxy buffers slow clients; a request is short

# The app is loaded once in the master, then forked: a configuration the shop refuses is
# reported once, and the master exits with status 2 instead of restarting workers forever.
preload_app = True

timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30  # on SIGTERM, requests in flight get this long to finish
keepalive = 5  # seconds an idle connection from the reverse proxy stays open
# No recycling by default. The page cache is bounded by bytes, and `make bench` floods a worker
# with 5,000 distinct query strings and checks it stays within 50 MB of its warm size. A
# recycled worker leaves the shop a worker short until the master's next loop (up to a
# second): with recycling every 2,000 requests, cached pages' p99 went from 18 ms to 430 ms.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10

accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# TRUSTED_PROXIES in the app alone decides whether X-Forwarded-Proto is believed; gunicorn
# would otherwise believe it from any local process.
secure_scheme_headers: dict[str, str] = {}
# Worker heartbeats in memory rather than on a disk that may be slow or full.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def when_ready(server) -> None:
    """The app is loaded (preload_app): warm it up once, before the workers fork."""
    from storefront.web import warm_up

    warm_up(server.app.wsgi())


def worker_exit(server, worker) -> None:
    """A stopping worker writes the article counts still in its memory."""
    from storefront.reports.counters import flush_before_exit

    flush_before_exit(worker.wsgi)
