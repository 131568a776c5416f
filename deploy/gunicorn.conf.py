"""gunicorn settings for `make serve` and production (docs/deploy.md). Read from the environment."""

import os

# Loopback by default: a reverse proxy (deploy/nginx.conf) faces the network.
bind = os.environ.get("BIND", "127.0.0.1:8000")
# WEB_CONCURRENCY is gunicorn's own variable; 2 per core is a sound start for sync workers.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
worker_class = "sync"
# A request that takes this long is stuck: the worker is replaced (every answer is already
# committed by the time its request returns, so nothing acknowledged is lost).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
