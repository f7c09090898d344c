#!/usr/bin/env python3
"""Runs a command and writes what it cost, as the kernel counts it.

    rusage.py OUTFILE COMMAND [ARGS...]

COMMAND runs as a child with this process's standard streams. When it
exits, OUTFILE receives one line, "USER_S SYS_S PEAK_RSS_KB STATUS":

  USER_S, SYS_S  the CPU seconds of the child and all its threads, from
                 wait4's rusage (microsecond resolution);
  PEAK_RSS_KB    its peak resident set size: the largest VmHWM read from
                 /proc/PID/status, sampled every 20 ms while it runs;
  STATUS         its exit status (128 + N if signal N ended it).

Why not wait4's ru_maxrss: it also counts the memory of the process image
that exec replaced, i.e. of the forking parent (this Python, a shell, GNU
time), a floor of megabytes under every figure. VmHWM belongs to the
program's own address space. Sampling may miss growth in the last 20 ms
before exit; a load generator reaches its peak while it runs.

This process exits with the child's status.
"""
import os
import sys
import time


def vm_hwm_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: rusage.py OUTFILE COMMAND [ARGS...]\n")
        return 2
    out, argv = sys.argv[1], sys.argv[2:]
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    peak = 0
    while True:
        peak = max(peak, vm_hwm_kb(pid))
        done, wait_status, usage = os.wait4(pid, os.WNOHANG)
        if done == pid:
            break
        time.sleep(0.02)
    if os.WIFSIGNALED(wait_status):
        status = 128 + os.WTERMSIG(wait_status)
    else:
        status = os.WEXITSTATUS(wait_status)
    with open(out, "w") as f:
        f.write("%.6f %.6f %d %d\n" % (usage.ru_utime, usage.ru_stime,
                                       peak or usage.ru_maxrss, status))
    return status


if __name__ == "__main__":
    sys.exit(main())
