"""Runs one command and reports what the kernel accounted to it, for test/bench/lib.mjs.

    python3 wait4.py COMMAND [ARG...]      (fd 3 open for writing)

The command gets this script's stdin, stdout and stderr (not fd 3). When it ends, one JSON line
goes to fd 3: wall time from spawn to exit, user and system CPU time and peak RSS, from wait4(2)'s
rusage of the child (with the descendants it waited for), and its exit code. The figures are the
child's, counted by the kernel: none of this script's own start-up or CPU time is in them.
"""
import json
import os
import sys
import time

report = os.fdopen(3, "w")
os.set_inheritable(3, False)
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
report.write(json.dumps({
    "wallMs": wall * 1000,
    "userMs": usage.ru_utime * 1000,
    "sysMs": usage.ru_stime * 1000,
    "rssKiB": usage.ru_maxrss,
    "code": os.waitstatus_to_exitcode(status),
}) + "\n")
report.close()
