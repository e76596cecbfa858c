# Guest-side helpers of the agent jobs (sourced by test/e2e/vm/agent.sh and test/bench/vm/agent.sh, inside the
# lbctl VM, as root): watch a director's IPVS table, run a client loop through a VIP, kill and restart a lab's web
# servers, and mark moments. Process starts are slow in the emulated guest, so the loops use shell builtins only.
# Times are wall-clock milliseconds (EPOCHREALTIME), the clock the client (Date.now()) and the agent use too.

ns() { echo "lbl-$1-$2"; }

# now_ms: the time in milliseconds, in REPLY.
now_ms() {
  local t=${EPOCHREALTIME/./}
  REPLY=${t:0:13}
}

# mark FILE NAME: appends "MS NAME" to FILE (what the job did, and when).
mark() {
  now_ms
  echo "$REPLY $2" >>"$1"
}

# nap SECONDS: sleeps without starting a process (a read that times out on a pipe nobody writes).
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" || :; }

# hexaddr ADDRESS PORT: the destination as /proc/net/ip_vs prints it (0A0A000B:1F90).
hexaddr() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  printf '%02X%02X%02X%02X:%04X' "$a" "$b" "$c" "$d" "$2"
}

# ipvs_table PID: the IPVS table of PID's network namespace without its connection counters, in REPLY: one entry
# per service ("TCP CB00710A:0050") and destination ("0A0A000B:1F90 Masq 3"), each ended by ';'.
# The file is taken in one read (mapfile), never line by line: bash's `read` seeks back to the end of each line, and
# the kernel (Linux 6.1) resumes its walk of the services of every namespace at a count of this namespace's own, so
# with services in another namespace (one lab's director beside another's) whole services of this one went missing.
# A table longer than one read (4 KiB) would need a second read, which resumes the same way; the labs' are far shorter.
ipvs_table() {
  local - line table='' lines w
  set -f # the words of a line are split, never expanded as file names ("[2001:...]" is a pattern)
  mapfile -t lines <"/proc/$1/net/ip_vs"
  for line in "${lines[@]}"; do
    # shellcheck disable=SC2206 # split on purpose: `read` of a here-string per line is a pipe read byte by byte
    w=($line)
    case ${w[0]} in
      TCP | UDP | SCTP | FWM) table+="${w[0]} ${w[1]};" ;;
      '->') [ "${w[1]}" = RemoteAddress:Port ] || table+="${w[1]} ${w[2]} ${w[3]};" ;;
    esac
  done
  REPLY=$table
}

# ipvs_watch PID FILE: appends "MS TABLE" to FILE whenever the table changes (weights, destinations), polled every
# 20 ms; runs until killed.
ipvs_watch() {
  local last=''
  while :; do
    ipvs_table "$1"
    if [ "$REPLY" != "$last" ]; then
      last=$REPLY
      now_ms
      echo "$REPLY $last" >>"$2" # REPLY is the time now, last the table
    fi
    nap 0.02
  done
}

# weight PID ADDRESS PORT: the destination's weight in PID's table (the first service that has it), "absent" if none.
weight() {
  local dest rest
  dest=$(hexaddr "$2" "$3")
  ipvs_table "$1"
  case $REPLY in
    *"$dest "*)
      rest=${REPLY#*"$dest "}
      rest=${rest%%;*}
      REPLY=${rest#* }
      ;;
    *) REPLY=absent ;;
  esac
}

# wait_weight SECONDS PID ADDRESS PORT WANT: until the destination's weight is WANT (or "absent"); 1 after SECONDS.
wait_weight() {
  local end=$((SECONDS + $1))
  while weight "$2" "$3" "$4" && [ "$REPLY" != "$5" ]; do
    ((SECONDS < end)) || return 1
    nap 0.02
  done
}

# settle SECONDS LOG PID ADDRESS PORT WEIGHT [ADDRESS PORT WEIGHT...]: until every destination has its weight in
# PID's table and for 2 s neither the table changed nor LOG (the balancer's event log) grew: a steady pool; 1 after
# SECONDS.
settle() {
  local end=$((SECONDS + $1)) log=$2 pid=$3 lines=() seen='' quiet_since=0
  shift 3
  while ((SECONDS < end)); do
    mapfile -t lines <"$log"
    ipvs_table "$pid"
    local state="${#lines[@]} $REPLY"
    now_ms
    if [ "$state" != "$seen" ]; then
      seen=$state
      quiet_since=$REPLY
    fi
    if ((REPLY - quiet_since >= 2000)) && weights_are "$pid" "$@"; then return 0; fi
    nap 0.1
  done
  return 1
}

# weights_are PID ADDRESS PORT WEIGHT [ADDRESS PORT WEIGHT...]: every destination has its weight in PID's table.
weights_are() {
  local pid=$1
  shift
  while (($# >= 3)); do
    weight "$pid" "$1" "$2"
    [ "$REPLY" = "$3" ] || return 1
    shift 3
  done
}

# wait_line SECONDS FILE TEXT...: until FILE has a line containing every TEXT; 1 after SECONDS.
wait_line() {
  local end=$((SECONDS + $1)) file=$2 line text
  shift 2
  while :; do
    if [ -r "$file" ]; then
      while IFS= read -r line; do
        for text; do [[ $line == *"$text"* ]] || continue 2; done
        return 0
      done <"$file"
    fi
    ((SECONDS < end)) || return 1
    nap 0.05
  done
}

# holder NS: starts a process that only waits, in namespace NS, and prints its PID (/proc/PID/net is NS's).
holder() {
  ip netns exec "$1" sleep infinity >/dev/null 2>&1 &
  echo $!
}

# A lab's web server, busybox httpd on HOST:PORT: the PID `lab up` recorded in its lab.json, or the one httpd_start
# last wrote to /run/lbctl-lab/LAB/HOST/httpd-PORT.pid.
httpd_pid() {
  local restarted=/run/lbctl-lab/$1/$2/httpd-$3.pid record
  if [ -r "$restarted" ]; then
    read -r REPLY <"$restarted"
    return
  fi
  record=$(<"/run/lbctl-lab/$1/lab.json")
  [[ $record =~ \"host\":\ \"$2\",[[:space:]]*\"port\":\ $3,[[:space:]]*\"pid\":\ ([0-9]+) ]] && REPLY=${BASH_REMATCH[1]}
}

# agent_pid LAB HOST: the PID of HOST's lbctl agent, as `lab up` recorded it, in REPLY.
agent_pid() {
  local record
  record=$(<"/run/lbctl-lab/$1/lab.json")
  [[ $record =~ \"agents\":\ \[[^]]*\"host\":\ \"$2\",[[:space:]]*\"pid\":\ ([0-9]+) ]] && REPLY=${BASH_REMATCH[1]}
}

# httpd_kill LAB HOST PORT: kills that web server by its PID (SIGKILL: a crash, no goodbye).
httpd_kill() {
  httpd_pid "$@" && kill -KILL "$REPLY"
}

# httpd_start LAB HOST PORT: starts that web server again (as `lab up` does), in the background.
httpd_start() {
  ip netns exec "$(ns "$1" "$2")" busybox httpd -f -p "0.0.0.0:$3" -h "/run/lbctl-lab/$1/$2/www" >/dev/null 2>&1 &
  echo $! >"/run/lbctl-lab/$1/$2/httpd-$3.pid"
}

# client_start LAB HOST URL FILE: a client loop in HOST's namespace, a request every 50 ms until FILE.stop exists
# (agent-client.mjs; one line per request into FILE); waits up to 30 s for its first answer.
client_start() {
  ip netns exec "$(ns "$1" "$2")" node "$(dirname "${BASH_SOURCE[0]}")/agent-client.mjs" "$3" "$4" 50 >"$4.err" 2>&1 &
  wait_line 30 "$4" ' 1 '
}

# client_stop FILE: ends the client loop writing FILE, and waits for it (its last request may take up to 1 s).
client_stop() {
  : >"$1.stop"
  local end=$((SECONDS + 5))
  while [ ! -e "$1.done" ] && ((SECONDS < end)); do nap 0.05; done
}
