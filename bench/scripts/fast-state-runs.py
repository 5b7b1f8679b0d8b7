#!/usr/bin/env python3
"""Runs each named command ROUNDS times in shuffled order, each between two `floor spin` probes, and keeps a run
only when both probes say the box was in one speed state (fast: a spin round trip under 250 ns). For a box that
flips speed state every few seconds, where `bench refs` (which classifies whole rounds) keeps too few rounds.
Each command must print its figure last: a bare number, or `Mpps=N` as lean.c does.

  bench/scripts/fast-state-runs.py ROUNDS FLOOR '{"name": "command", ...}'

Example (docs/PERFORMANCE.md, "Figures"):
  gcc -O2 -o /tmp/lean ../shared/reference/lean.c && gcc -O2 -o /tmp/floor ../shared/reference/floor.c
  P='bench/bin/Release/net10.0/bench pair --seconds 5 --json'
  M='| tail -1 | python3 -c "import json,sys; print(json.load(sys.stdin)[\"mpps\"])"'
  bench/scripts/fast-state-runs.py 6 /tmp/floor "{\"lean\": \"/tmp/lean 250000000 64\",
    \"ring_rx\": \"$P $M\", \"ring_tx\": \"$P --direction tx $M\"}"
"""
import json, random, re, statistics, subprocess, sys

FAST_NS = 250

def spin(floor):
    out = subprocess.run([floor, 'spin', '100000'], capture_output=True, text=True).stdout
    return int(out.strip().split('=')[1])

def figure(command):
    lines = subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip().splitlines()
    if not lines:
        return None
    found = re.search(r'Mpps=([0-9.]+)', lines[-1])
    try:
        return float(found.group(1)) if found else float(lines[-1])
    except ValueError:
        return None

def main():
    rounds, floor, commands = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    kept = {name: {'fast': [], 'slow': []} for name in commands}
    for _ in range(rounds):
        order = list(commands.items())
        random.shuffle(order)
        for name, command in order:
            before, value, after = spin(floor), figure(command), spin(floor)
            if value is None:
                continue
            if before < FAST_NS and after < FAST_NS:
                kept[name]['fast'].append(value)
            elif before >= FAST_NS and after >= FAST_NS:
                kept[name]['slow'].append(value)
    for name, states in kept.items():
        line = f'{name:16s}'
        for state, values in states.items():
            values.sort()
            shown = f'{values[0]:.1f}-{statistics.median(values):.1f}-{values[-1]:.1f} (n={len(values)})' if values else 'none'
            line += f' {state} {shown:28s}'
        print(line)

main()
