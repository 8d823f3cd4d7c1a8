#!/usr/bin/env bash
# What --output-format csv and table cost over ndjson, as whole-process runs of `rulegen scan` on the same events and
# rules, interleaved (each round runs the three formats, in an order that rotates per round, so drift in the machine's
# load falls on all three alike):
#   bench/output-formats.sh [ROUNDS] [RULES_DIR...] -- INPUT...
# default: 7 rounds, the Sigma rules of ../shared/corpus/sigma/rules/windows/{powershell,builtin/security} over
# ../shared/real-logs/evtx/DeepBlueCLI (alert-heavy: most events alert, so the writers' share is as large as it gets).
# The rule pack is compiled (and cached) by a first untimed run. Output goes to files in a temporary folder.
# Prints each format's median wall time, its min-max, and the median's ratio to ndjson's.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
shift || true
rules=(); inputs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do rules+=(--rules "$1"); shift; done
[ $# -gt 0 ] && shift
inputs=("$@")
if [ ${#rules[@]} -eq 0 ]; then
  rules=(--rules ../shared/corpus/sigma/rules/windows/powershell --rules ../shared/corpus/sigma/rules/windows/builtin/security)
fi
if [ ${#inputs[@]} -eq 0 ]; then inputs=(../shared/real-logs/evtx/DeepBlueCLI); fi
dotnet build src/RuleGen.Host -c Release -v q -nologo >/dev/null
rulegen=src/RuleGen.Host/bin/Release/net10.0/rulegen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$rulegen" scan "${rules[@]}" --no-progress -q -o "$work/warm.ndjson" "${inputs[@]}" 2>/dev/null
formats=(ndjson csv table)
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < 3; k++)); do
    f=${formats[$(((r + k) % 3))]}
    start=$(date +%s.%N)
    "$rulegen" scan "${rules[@]}" --no-progress -q --output-format "$f" -o "$work/out.$f" "${inputs[@]}" 2>/dev/null
    end=$(date +%s.%N)
    echo "$f $(echo "$end - $start" | bc)" >>"$work/times"
  done
done
echo "alerts: $(wc -l <"$work/out.ndjson") NDJSON lines; $(du -h "$work/out.csv" | cut -f1) of CSV"
python3 - "$work/times" <<'PY'
import sys, statistics
times = {}
for line in open(sys.argv[1]):
    f, t = line.split(); times.setdefault(f, []).append(float(t))
base = statistics.median(times["ndjson"])
print(f"{'format':8} {'runs':>4} {'median s':>9} {'min s':>7} {'max s':>7} {'vs ndjson':>9}")
for f in ("ndjson", "csv", "table"):
    ts = times[f]; m = statistics.median(ts)
    print(f"{f:8} {len(ts):>4} {m:>9.3f} {min(ts):>7.3f} {max(ts):>7.3f} {m / base - 1:>+8.1%}")
PY
