# Sourced by the guest jobs of the VM tests (bash), after their steps' bodies are defined: `step`, which runs one body
# in a bash of its own under `timeout` by running the job again as `bash JOB OUT BODY ARGS...`, and that re-entry,
# which runs the body and ends. Needs $out (the results folder) and LBCTL_JOB_BUDGET_S (set by the host).
#
# The deadline: the host kills qemu LBCTL_JOB_BUDGET_S seconds after starting it, and the guest has been up (booting)
# for part of that; 20 s are left for the guest to report and power off. steps.txt gets "NAME EXIT-STATUS
# MILLISECONDS" per finished step (124: killed at its limit; 125: not started, no time left); shortly before killing
# a step, ps-NAME.txt records every process and what it waits on.
if [ $# -gt 1 ]; then # re-entered by step: run one body
  shift
  "$@"
  exit
fi

read -r uptime _ </proc/uptime
deadline=$(( $(date +%s) + ${LBCTL_JOB_BUDGET_S:?the host sets the job budget} - ${uptime%.*} - 20 ))

# snapshot NAME: what every process is doing (its state, what it waits on, how long it has run), and the steps so far.
snapshot() {
  { echo "# $(date -u +%T) step $1 about to be killed at its limit; steps so far:"; cat "$out/steps.txt" 2>/dev/null
    ps -eo pid,ppid,stat,etimes,time,wchan:24,args --forest; } >"$out/ps-$1.txt" 2>&1
}

# step NAME SECONDS BODY [ARGS...]: runs the body for at most SECONDS (less if the deadline is nearer), records it.
step() {
  local name=$1 limit=$2 start rc guard
  shift 2
  (( limit > deadline - $(date +%s) )) && limit=$(( deadline - $(date +%s) ))
  if (( limit <= 5 )); then
    echo "$name 125 0" >>"$out/steps.txt"
    return
  fi
  start=$(date +%s%N)
  # the snapshot a tenth of the limit (at least 5 s) early: ps alone takes seconds in a guest starved of CPU
  ( sleep $(( limit - (limit / 10 > 5 ? limit / 10 : 5) )) & trap 'kill $! 2>/dev/null; exit' TERM; wait $!; trap '' TERM; snapshot "$name" ) &
  guard=$!
  timeout -k 5 "$limit" bash "$0" "$out" "$@"
  rc=$?
  kill "$guard" 2>/dev/null
  wait "$guard" 2>/dev/null
  echo "$name $rc $(( ($(date +%s%N) - start) / 1000000 ))" >>"$out/steps.txt"
}
