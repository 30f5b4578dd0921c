"""Keeps cargo-mutants' runs in the repository and writes docs/mutants.md from them.

    python3 .cargo/mutants-report.py keep mutants.out/outcomes.json run09 COMMIT
    python3 .cargo/mutants-report.py untested > /tmp/untested.txt
    python3 .cargo/mutants-report.py

`untested` prints the mutants of today's reference that no kept run has a
result for, one exact-name regex per line, for `cargo mutants --re`:
unlike `--iterate`, it knows which results still hold after edits.
`keep` stores a run's outcomes (each mutant and its result) as
.cargo/mutants-runs/NAME.json with COMMIT, the commit the run copied
(`git rev-parse --short HEAD` when it started). Without arguments the
report merges every kept run in name order, a later result for a mutant
replacing an earlier one, over the mutants of today's reference: a result of
a run kept with its commit counts for a mutant whose function reads the same
today as at that commit and which sits at the same place in it, wherever
edits have moved the function. The first runs were kept before commits
were recorded: each names instead, as `names_hold_at`, a commit at which
its mutants' names were still those of that commit's mutants, and counts
as a run of it. Survivors
get their disposition from .cargo/mutants-dispositions.json, keyed by the
mutant's name without its line and column ("reference/src/args.rs: replace <
with <= in arity"), so that a disposition outlives code moving down a file,
or, for every mutant of a function that no scenario can observe, by
"FILE: any mutant in FUNCTION".
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def describe(name):
    """A mutant's name without its file position."""
    return re.sub(r':\d+:\d+:', ':', name, count=1)


def function_key(mutant, text):
    """Where a mutant sits in its function, and the function's text."""
    fn = mutant.get('function') or {}
    span = fn.get('span')
    if not span:
        return None
    start, end = span['start']['line'], span['end']['line']
    lines = text.split('\n')[start - 1:end]
    at = mutant['span']['start']
    return (describe(mutant['name']), at['line'] - start, at['column'], '\n'.join(lines))


sources = {}


def source(commit, path):
    """A file's text at a commit (None: the working tree)."""
    key = (commit, path)
    if key not in sources:
        if commit is None:
            sources[key] = open(os.path.join(ROOT, path)).read()
        else:
            out = subprocess.run(['git', 'show', '%s:%s' % (commit, path)], capture_output=True, text=True, cwd=ROOT)
            sources[key] = out.stdout if out.returncode == 0 else ''
    return sources[key]


RUNS = os.path.join(ROOT, '.cargo', 'mutants-runs')

if sys.argv[1:2] == ['keep']:
    source_path, name, commit = sys.argv[2:5]
    kept = []
    for o in json.load(open(source_path))['outcomes']:
        sc = o['scenario']
        if isinstance(sc, dict):
            m = sc['Mutant']
            kept.append({'mutant': {k: m[k] for k in ('name', 'file', 'function', 'span') if k in m},
                         'summary': o['summary']})
    with open(os.path.join(RUNS, name + '.json'), 'w') as f:
        json.dump({'commit': commit, 'outcomes': kept}, f, separators=(',', ':'))
        f.write('\n')
    print('kept', len(kept), 'outcomes as', name)
    sys.exit(0)

by_place = {}  # summary by place in a function that reads the same; later runs replace earlier
for run in sorted(os.listdir(RUNS)):
    d = json.load(open(os.path.join(RUNS, run)))
    commit = d.get('commit') or d['names_hold_at']
    for o in d['outcomes']:
        mutant = o['mutant']
        key = function_key(mutant, source(commit, mutant['file']))
        if key:
            by_place[key] = o['summary']
listing = json.loads(subprocess.run(['cargo', 'mutants', '--list', '--json'], capture_output=True, text=True, cwd=ROOT).stdout)
by_listing = {m['name']: m for m in listing}
current = set(by_listing)
tested = {}
for m in listing:
    found = by_place.get(function_key(m, source(None, m['file'])))
    if found:
        tested[m['name']] = found
if sys.argv[1:2] == ['untested']:  # to test next: one exact-name regex per line
    for n in sorted(current - set(tested)):
        print('^%s$' % re.escape(n))
    sys.exit(0)
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
untested = len(current) - len(tested)
rest = ('%d mutants are not tested yet: the next run tests those `mutants-report.py untested` lists.' % untested
        if untested else 'Every mutant of today\'s reference has a result.')
w('\n**Score: %.1f%%** (caught and timed out ÷ viable, over the %d viable mutants tested). %s\n' % (100 * score, viable, rest))
w('## Survivors\n')
w('| mutant | disposition |')
w('|---|---|')
for n in sorted(n for n, s in tested.items() if s == 'MissedMutant'):
    fn = (by_listing[n].get('function') or {}).get('function_name')
    whole = '%s: any mutant in %s' % (by_listing[n]['file'], fn)
    disp = DISP.get(describe(n)) or DISP.get(whole, 'not examined yet')
    w('| `%s` | %s |' % (n.replace('|', '\\|'), disp))
open(os.path.join(ROOT, 'docs', 'mutants.md'), 'w').write('\n'.join(out) + '\n')
print('tested', len(tested), 'of', len(current), 'caught', caught, 'missed', missed, 'score %.3f' % score)
