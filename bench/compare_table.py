#!/usr/bin/env python3
"""Turns bench/compare.sh's measurements into Markdown tables.

    compare_table.py RECORDS.tsv

RECORDS.tsv has one line per run, tab-separated:

    round  scenario  client  ok  requests  errors  rate  cpu_s  rss_kb

(ok: 1 if the run completed without errors, else 0). Prints two tables.
The first has a row per scenario and client: the median over the rounds
of requests/s, client CPU microseconds per request and peak RSS, each
with the median over the rounds of its ratio to wrk's figure in the same
round and scenario. The second gives every round's requests/s and CPU
microseconds per request. A failed run shows as "FAIL" and counts in no
median.
"""
import csv
import statistics
import sys

CLIENTS = ["wrk", "asyncbench", "curl_multi"]


def load(path):
    runs = {}
    scenarios, rounds = [], []
    with open(path) as f:
        for row in csv.reader(f, delimiter="\t"):
            rnd, scenario, client, ok, requests, errors, rate, cpu_s, rss = row
            if scenario not in scenarios:
                scenarios.append(scenario)
            if rnd not in rounds:
                rounds.append(rnd)
            run = None
            if ok == "1" and int(requests) > 0:
                run = {
                    "rate": float(rate),
                    "cpu_us": float(cpu_s) * 1e6 / int(requests),
                    "rss": int(rss),
                }
            runs[(rnd, scenario, client)] = run
    return runs, scenarios, rounds


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, spec):
    return "FAIL" if value is None else format(value, spec)


def ratio(runs, rnd, scenario, client, key):
    mine = runs.get((rnd, scenario, client))
    wrk = runs.get((rnd, scenario, "wrk"))
    if mine is None or wrk is None or wrk[key] == 0:
        return None
    return mine[key] / wrk[key]


def summary(runs, scenarios, rounds, clients):
    print("| scenario | client | requests/s | vs wrk | CPU µs/request | vs wrk "
          "| peak RSS KiB | vs wrk |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for scenario in scenarios:
        for client in clients:
            cells = [scenario, client]
            for key, spec in (("rate", ",.0f"), ("cpu_us", ".2f"),
                              ("rss", ",.0f")):
                per_round = [runs.get((r, scenario, client)) for r in rounds]
                cells.append(fmt(median_or_none(
                    [run[key] if run else None for run in per_round]), spec))
                cells.append(fmt(median_or_none(
                    [ratio(runs, r, scenario, client, key) for r in rounds]),
                    ".2f"))
            print("| " + " | ".join(cells) + " |")


def detail(runs, scenarios, rounds, clients):
    print("| scenario | client | requests/s, each round "
          "| CPU µs/request, each round |")
    print("|---|---|---:|---:|")
    for scenario in scenarios:
        for client in clients:
            got = [runs.get((r, scenario, client)) for r in rounds]
            rates = " / ".join(fmt(g["rate"] if g else None, ",.0f")
                               for g in got)
            cpus = " / ".join(fmt(g["cpu_us"] if g else None, ".2f")
                              for g in got)
            print("| %s | %s | %s | %s |" % (scenario, client, rates, cpus))


def main():
    runs, scenarios, rounds = load(sys.argv[1])
    clients = [c for c in CLIENTS
               if any(k[2] == c for k in runs)]
    summary(runs, scenarios, rounds, clients)
    print()
    detail(runs, scenarios, rounds, clients)


if __name__ == "__main__":
    main()
