# Read by gunicorn from the working folder (`make run`, the benchmarks). Threads let a worker keep connections
# alive and overlap database waits; two per worker measured best on 2 cores (bench/pages.py: with 4 the GIL
# contention widened the tail, p95 114 ms against 85 ms). Workers are set on the command line (2 by default).
worker_class = "gthread"
threads = 2
keepalive = 5
