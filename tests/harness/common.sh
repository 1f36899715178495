# Shared by the harness scripts (sourced, not run).

# True when nothing listens on 127.0.0.1:$1. The port may still be the local port of an
# outgoing connection (the harness ports lie in Linux's ephemeral range, 32768-60999): a
# server's bind can then fail, so mariadb.sh and moto.sh try the next port on "Address
# already in use".
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits up to $2 tenths of a second (default 300) until process $1 is gone. A stopped server
# lingers as a zombie for a moment (PID 1 reaps slowly): a zombie counts as gone.
wait_gone() {
  local pid=$1 state
  for _ in $(seq 1 "${2:-300}"); do
    state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
    [[ -z "$state" || "$state" == Z* ]] && return 0
    sleep 0.1
  done
}
