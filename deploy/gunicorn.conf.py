"""gunicorn settings for CIPS: ``gunicorn -c deploy/gunicorn.conf.py 'cips:create_app()'`` (``make run`` uses it).

Threaded workers (``gthread``). A sync worker is held by one connection from its first byte
to its last, so two clients sending their headers slowly stalled both workers of a
two-worker server (``/healthz`` answered after 34 s). A threaded worker waits for a new
connection's first bytes in its event loop, not in a thread, and has ``threads`` threads for
requests, so it takes ``workers × threads`` slow clients, not ``workers``, to stall it.
That is still a bound: in production put a buffering reverse proxy in front
(``deploy/nginx-cips.conf``), which reads each request in full before gunicorn sees it.

Every value can be changed on the command line (``--workers 4``) or here; the command
line wins. Environment: ``CIPS_WEB_WORKERS`` and ``CIPS_WEB_THREADS``.
"""

from cips.config import setting

worker_class = "gthread"
# Two processes on the two-core machine it was measured on; threads serve slow clients and
# the waits of PostgreSQL commits (README "Benchmarks").
workers = setting("CIPS_WEB_WORKERS").read()
threads = setting("CIPS_WEB_THREADS").read()
# A request may take this long before its worker is restarted: an export of a very large
# campaign is built within its request (reports and briefings are built in the background).
timeout = 180
graceful_timeout = 30
# Idle keep-alive connections wait in the worker's event loop (no thread), this long.
keepalive = 5
# Request line and headers: gunicorn's defaults, written here because they are a limit.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Access log on standard output, without the client address, the user agent or the query
# string: respondents' addresses are never recorded, and a query may hold an invitation
# token (``/s/demo?t=…``). %(U)s is the path alone; %(r)s would be the whole request line.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
