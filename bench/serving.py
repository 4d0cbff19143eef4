"""What the benchmarks share: a gunicorn-served LMS on a loopback port, CPU accounting, percentiles."""

from __future__ import annotations

import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def log(bench: str, message: str) -> None:
    print(f"[bench {bench}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]


def summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {"p50_ms": round(percentile(ordered, 0.50) * 1000, 1),
            "p95_ms": round(percentile(ordered, 0.95) * 1000, 1),
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 1)}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_pids(master: int) -> list[int]:
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def _machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(values[:8]) - idle) / tick, sum(values[:8]) / tick


class CPUMeter:
    """CPU used during the measured run by the server, by this load generator, and by everything else."""

    def __init__(self, master: int) -> None:
        self.pids = _server_pids(master)
        self.server = sum(_cpu_seconds(pid) for pid in self.pids)
        self.me = time.process_time()
        self.busy, self.total = _machine_busy_seconds()

    def stop(self) -> dict:
        server = sum(_cpu_seconds(pid) for pid in self.pids) - self.server
        me = time.process_time() - self.me
        busy, total = _machine_busy_seconds()
        busy, total = busy - self.busy, total - self.total
        other = max(0.0, busy - server - me)
        return {"server_cpu_s": round(server, 2), "loadgen_cpu_s": round(me, 2),
                "other_cpu_pct": round(100 * other / total, 1) if total else 0.0}


def start_gunicorn(port: int, workers: int, env: dict, log_path: Path, app: str) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-b", f"{HOST}:{port}", app]
    with open(log_path, "wb") as handle:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)  # whatever is left of the process group this script started
    except ProcessLookupError:
        pass
    server.wait()


def wait_for_http(port: int, server: subprocess.Popen, path: str = "/xapi/about", timeout: float = 60.0) -> None:
    """Block until the server answers on ``path``. Raises RuntimeError when it dies or stays silent."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")
