"""Writes docs/mutants.md from cargo-mutants' outcomes.

    python3 .cargo/mutants-report.py mutants.out.old/outcomes.json mutants.out/outcomes.json

Runs are merged in the order given, a later result for a mutant replacing an
earlier one; only mutants that exist in today's reference count. Survivors
get their disposition from .cargo/mutants-dispositions.json, keyed by the
mutant's name without its line and column ("reference/src/args.rs: replace <
with <= in arity"), so that a disposition outlives code moving down a file.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
runs = sys.argv[1:]
latest = {}
for r in runs:
    try:
        d = json.load(open(r))
    except FileNotFoundError:
        continue
    for o in d['outcomes']:
        sc = o['scenario']
        if not isinstance(sc, dict):
            continue
        latest[sc['Mutant']['name']] = o['summary']
listed = subprocess.run(['cargo', 'mutants', '--list'], capture_output=True, text=True, cwd=ROOT).stdout.split('\n')
listed = [l for l in listed if l.strip()]
current = set(listed)
tested = {n: s for n, s in latest.items() if n in current}
count = lambda k: sum(1 for s in tested.values() if s == k)
caught, missed, timeout, unviable = count('CaughtMutant'), count('MissedMutant'), count('Timeout'), count('Unviable')
viable = caught + missed + timeout
DISP = json.load(open(os.path.join(ROOT, '.cargo', 'mutants-dispositions.json')))
out = []
w = out.append
w('# Mutation testing of the corpus\n')
w('Each mutant is a small change to the reference (`reference/src`); the scenarios alone judge it, the reference imitating every Python version the suite knows (`harness/tests/reference_profiles.rs`). How to run it: README, "Mutation testing". Written by `.cargo/mutants-report.py` from the outcomes of the runs so far, a later run\'s result for a mutant replacing an earlier one; a mutant whose code has changed since its run no longer counts until it is tested again.\n')
w('| | mutants |')
w('|---|---|')
w('| in the reference today | %d |' % len(current))
w('| tested against today\'s corpus | %d |' % len(tested))
w('| caught (a scenario fails) | %d |' % caught)
w('| missed (every scenario passes) | %d |' % missed)
w('| timed out (counted as caught) | %d |' % timeout)
w('| unviable (does not build) | %d |' % unviable)
score = (caught + timeout) / viable if viable else 0
w('\n**Score so far: %.1f%%** (caught and timed out ÷ viable, over the %d viable mutants tested). %d mutants are not tested yet: the next run continues with `cargo mutants --iterate`.\n' % (100 * score, viable, len(current) - len(tested)))
w('## Survivors\n')
w('| mutant | disposition |')
w('|---|---|')
for n in sorted(n for n, s in tested.items() if s == 'MissedMutant'):
    disp = DISP.get(re.sub(r':\d+:\d+:', ':', n), 'not examined yet')
    w('| `%s` | %s |' % (n.replace('|', '\\|'), disp))
open(os.path.join(ROOT, 'docs', 'mutants.md'), 'w').write('\n'.join(out) + '\n')
print('tested', len(tested), 'of', len(current), 'caught', caught, 'missed', missed, 'score %.3f' % score)
