#!/usr/bin/env bash
# rulegen serve throughput against rulegen scan, on the same events and rules (tests/RuleGen.ServeHost: the seed rule,
# a threshold rule, an EQL sequence, a Sigma correlation), as whole-process runs:
#   bench/serve-throughput.sh [EVENTS] [HOSTS]      (default 200000 events over 8 hosts)
# It builds the ServeHost in Release, generates the events, times `rulegen scan` of the file, starts nats-server
# (JetStream, a temporary folder, a free loopback port), publishes the events, then times one serve instance and two
# instances (each a new consumer group over the same stream) from their start until the metrics endpoints count every
# event processed. Times include process start and connecting (about half a second). Each serve run also prints
# the CPU seconds nats-server and the instances used during it (from /proc/PID/stat), against the wall time times
# the cores: when they add up to about every core, the machine is the limit.
#   RULEGEN_SERVE_HOST_DLL=PATH  runs another build of rulegen-serve-test.dll (no build), to compare two builds.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-200000}
hosts=${2:-8}
dll=${RULEGEN_SERVE_HOST_DLL:-}
if [ -z "$dll" ]; then
  dotnet build tests/RuleGen.ServeHost -c Release -v q -nologo >/dev/null
  dll=tests/RuleGen.ServeHost/bin/Release/net10.0/rulegen-serve-test.dll
fi
host="dotnet $dll"
# cpu PID: user + system CPU seconds of a process so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nats-server -js -sd "$work/js" -a 127.0.0.1 -p "$port" >"$work/nats.log" 2>&1 &
nats=$!
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; kill "$nats" 2>/dev/null || true; wait "$nats" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
$host generate-events "$work/events.ndjson" "$events" "$hosts"
total=$(wc -l <"$work/events.ndjson")
now() { date +%s.%N; }

t0=$(now); /usr/bin/time -o "$work/scan.time" -f '%U %S' $host scan --no-progress -q "$work/events.ndjson" -o "$work/scan.ndjson" --threads 1; t1=$(now)
scancpu=$(cat "$work/scan.time")
scan1=$(echo "$total / ($t1 - $t0)" | bc)
echo "  scan --threads 1: wall $(echo "$t1 - $t0" | bc) s; cpu $(echo "$scancpu" | awk '{print $1 + $2}') s" >&2
t0=$(now); $host scan --no-progress -q "$work/events.ndjson" -o "$work/scan.ndjson"; t1=$(now)
scan2=$(echo "$total / ($t1 - $t0)" | bc)
$host publish -q "$work/events.ndjson" --nats "nats://127.0.0.1:$port" --subject 'events.{host.name}' --stream EVENTS

# serve_run GROUP INSTANCES: events/s from the instances' start until their metrics count every event.
serve_run() {
  local group=$1 n=$2 ports=() start nats0
  nats0=$(cpu "$nats")
  start=$(now)
  for i in $(seq 1 "$n"); do
    local mport=$((port + 10 + i + (n * 3)))
    ports+=("$mport")
    $host serve -q --nats "nats://127.0.0.1:$port" --stream EVENTS --subjects 'events.*' --alerts-subject alerts.rulegen \
      --durable "$group" --lease-ttl 3s --metrics "$mport" &
    pids+=($!)
  done
  while true; do
    local sum=0
    for p in "${ports[@]}"; do
      local c
      c=$(curl -s "127.0.0.1:$p/metrics" 2>/dev/null | awk '/^rulegen_serve_events_total/ {s += $2} END {printf "%d", s}') || c=0
      sum=$((sum + ${c:-0}))
    done
    [ "$sum" -ge "$total" ] && break
    sleep 0.05
  done
  local end; end=$(now)
  local natsc inst=0
  natsc=$(echo "$(cpu "$nats") - $nats0" | bc)
  for p in "${pids[@]}"; do inst=$(echo "$inst + $(cpu "$p")" | bc); done
  echo "  serve x$n: wall $(echo "$end - $start" | bc) s on $(nproc) cores; cpu: nats-server $natsc s, instances $inst s" >&2
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
  echo "$total / ($end - $start)" | bc
}
one=$(serve_run bench1 1)
two=$(serve_run bench2 2)
echo "events: $total over $hosts hosts, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
echo "scan --threads 1: $scan1 events/s; scan (every core): $scan2 events/s"
echo "serve, 1 instance: $one events/s ($(echo "scale=2; $one / $scan1" | bc)x scan --threads 1)"
echo "serve, 2 instances: $two events/s ($(echo "scale=2; $two / $one" | bc)x 1 instance)"
