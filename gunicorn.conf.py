# Read by gunicorn from the working folder (`make run`, the benchmarks). Threads let a worker keep connections
# alive and overlap database waits; workers are set on the command line (2 on the embedded default).
worker_class = "gthread"
threads = 4
keepalive = 5
