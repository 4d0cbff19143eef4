# Read by gunicorn from the working folder (`make run`, the benchmarks). Workers are set on the command line (2 by
# default). One thread per worker measured best on 2 cores: with two, a thread holding SQLite's write lock shares its
# process's GIL with the other thread's request (bench/lrs_ingest.py: 3,650 statements/s against 4,350 with one), and
# bench/pages.py is no worse (802 requests/s, p95 83 ms). gthread still keeps idle connections alive.
import gc

worker_class = "gthread"
threads = 1
keepalive = 5


def post_worker_init(worker):  # noqa: ARG001
    """Keep the garbage collector off the request path: the objects loaded at start-up are never collected
    (freeze), and collections come after 50,000 new objects instead of 700 (a statement batch makes thousands)."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
