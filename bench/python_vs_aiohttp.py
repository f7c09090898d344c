#!/usr/bin/env python3
"""The Python binding's ClientSession against aiohttp's: the same requests,
the same code, at concurrency 1 and 64, against one local nginx.

    LIBASYNC_LIBRARY=build/release/libasync.so.1 \\
        python3 bench/python_vs_aiohttp.py [--requests N] [--rounds R]
            [--concurrency 1,64] [--url URL]

Without --url, and without ASYNC_TEST_HTTP_PORT in the environment, it runs
itself again under tests/support/with-servers.sh --only nginx and fetches
that nginx's /1k.bin. aiohttp is whatever this Python can import (install
it in a virtualenv and run the script with that virtualenv's python); the
binding is imported from bindings/python when it is not installed.

Each measurement runs in a fresh child process: a warm-up, then N GET
requests made by C tasks (N / C each, one after the other, each
`async with session.get(url) as r: await r.read()`) through one session.
Reported: requests per second (wall clock) and CPU per request, the
process's user + system time (getrusage(RUSAGE_SELF)) around the N
requests divided by N. With libasync the library's runtime thread is in
the same process, so its CPU is counted too. Each round runs every
(concurrency, client) pair, alternating which client goes first; the
tables give the median of the rounds, each round's figures, and the median
of the rounds' ratios.
"""

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WITH_SERVERS = os.path.join(ROOT, "tests", "support", "with-servers.sh")
CLIENTS = ("libasync", "aiohttp")


def import_client(name):
    """(ClientSession class, version text) of a client, or raise
    ImportError."""
    if name == "aiohttp":
        import aiohttp
        return aiohttp.ClientSession, "aiohttp %s" % aiohttp.__version__
    try:
        import libasync
    except ImportError:
        sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
        import libasync
    return libasync.ClientSession, "libasync %s (binding %s, %s)" % (
        libasync.library_version, libasync.__version__,
        libasync.capi.LIBRARY)


# ---- one measurement (a child process) --------------------------------------


async def measure(session_class, url, concurrency, requests, warmup):
    async with session_class() as session:

        async def worker(count):
            for _ in range(count):
                async with session.get(url) as response:
                    await response.read()

        async def run(total):
            share, extra = divmod(total, concurrency)
            await asyncio.gather(*[worker(share + (i < extra))
                                   for i in range(concurrency)])

        await run(warmup)
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        await run(requests)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime -
                                                before.ru_stime)
    return {"rps": requests / wall, "cpu_us": cpu / requests * 1e6,
            "wall": wall}


def child(args):
    session_class, _ = import_client(args.child)
    result = measure(session_class, args.url, args.child_concurrency,
                     args.requests, max(args.requests // 10, 500))
    print(json.dumps(asyncio.run(result)))


# ---- the run ----------------------------------------------------------------


def run_child(client, concurrency, args):
    command = [sys.executable, os.path.abspath(__file__), "--child", client,
               "--child-concurrency", str(concurrency), "--requests",
               str(args.requests), "--url", args.url]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE,
                            universal_newlines=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def fmt(value, digits=0):
    return "{:,.{}f}".format(value, digits)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", default="1,64")
    parser.add_argument("--url")
    parser.add_argument("--child", choices=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--child-concurrency", type=int,
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    if args.url is None:
        port = os.environ.get("ASYNC_TEST_HTTP_PORT")
        if port is None:
            # Run again with a local nginx started for the run.
            return subprocess.call(["bash", WITH_SERVERS, "--only", "nginx",
                                    "--", sys.executable,
                                    os.path.abspath(__file__)] + sys.argv[1:])
        args.url = "http://127.0.0.1:%s/1k.bin" % port

    clients, versions = [], []
    for name in CLIENTS:
        try:
            versions.append(import_client(name)[1])
            clients.append(name)
        except ImportError as exc:
            print("%s: not importable (%s): skipped" % (name, exc))
    if "libasync" not in clients:
        print("the libasync binding cannot be imported", file=sys.stderr)
        return 1
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    print("Python %s (%s), %d CPUs" % (
        platform.python_version(), sys.executable, os.cpu_count()))
    for version in versions:
        print("  " + version)
    print("%d requests per measurement, %d round(s), GET %s\n" % (
        args.requests, args.rounds, args.url))

    results = {}  # (client, concurrency) -> [result per round]
    for round_number in range(args.rounds):
        order = clients if round_number % 2 == 0 else clients[::-1]
        for concurrency in concurrencies:
            for client in order:
                result = run_child(client, concurrency, args)
                results.setdefault((client, concurrency), []).append(result)
                print("round %d  c=%-3d %-8s %9s req/s %8s µs CPU/req" % (
                    round_number + 1, concurrency, client,
                    fmt(result["rps"]), fmt(result["cpu_us"], 1)),
                    flush=True)

    print()
    print("| concurrency | client | requests/s | CPU µs/request "
          "| requests/s, each round | CPU µs/request, each round |")
    print("|---:|---|---:|---:|---:|---:|")
    medians = {}
    for concurrency in concurrencies:
        for client in clients:
            runs = results[(client, concurrency)]
            rps = statistics.median(r["rps"] for r in runs)
            cpu = statistics.median(r["cpu_us"] for r in runs)
            medians[(client, concurrency)] = (rps, cpu)
            print("| %d | %s | %s | %s | %s | %s |" % (
                concurrency, client, fmt(rps), fmt(cpu, 1),
                " / ".join(fmt(r["rps"]) for r in runs),
                " / ".join(fmt(r["cpu_us"], 1) for r in runs)))
    if "aiohttp" not in clients:
        return 0
    # Ratios round by round (the two clients of a round ran back to back,
    # under the same conditions), then their median.
    ratios = {}
    for concurrency in concurrencies:
        pairs = list(zip(results[("libasync", concurrency)],
                         results[("aiohttp", concurrency)]))
        ratios[concurrency] = (
            statistics.median(lib["rps"] / aio["rps"] for lib, aio in pairs),
            statistics.median(lib["cpu_us"] / aio["cpu_us"]
                              for lib, aio in pairs))
    print()
    print("| concurrency | requests/s, libasync ÷ aiohttp "
          "| CPU per request, libasync ÷ aiohttp |")
    print("|---:|---:|---:|")
    for concurrency in concurrencies:
        speed, cost = ratios[concurrency]
        print("| %d | %.2f× | %.2f (1/%.1f) |" % (concurrency, speed, cost,
                                                  1 / cost))
    if 64 in concurrencies:
        speed, cost = ratios[64]
        print("\nTarget at c=64: >= 3x aiohttp's requests/s (%.2fx: %s), "
              "<= 1/3 of its CPU per request (1/%.1f: %s)" % (
                  speed, "met" if speed >= 3 else "NOT met", 1 / cost,
                  "met" if cost <= 1 / 3 else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
