# Sourced by .ci/run: each step of the run is a stage, timed from its `stage` line to the next;
# the times are printed at the end of the run, and also when it fails (the failed stage last).
# Steps of a lane (lane_start) run beside the stages and are printed as the tier `beside`.
CI_STAGE_NAMES=()
CI_STAGE_SECONDS=()
CI_STAGE_CURRENT=""
CI_STAGE_STARTED=0
CI_RUN_STARTED=$SECONDS
CI_LANE_PID=""

stage_end() {
  if [ -n "$CI_STAGE_CURRENT" ]; then
    CI_STAGE_NAMES+=("$CI_STAGE_CURRENT")
    CI_STAGE_SECONDS+=($((SECONDS - CI_STAGE_STARTED)))
    CI_STAGE_CURRENT=""
  fi
}

# stage TIER NAME: the next step: `setup` (installing what the checks need), `landing` or `full`.
stage() {
  stage_end
  CI_STAGE_CURRENT="$1	$2"
  CI_STAGE_STARTED=$SECONDS
  echo "== $2"
}

# lane_step NAME COMMAND...: one step of a lane (steps run one after another in the background,
# beside the stages of the foreground: lane_start, lane_wait), its time noted in the lane's output.
lane_step() {
  local name=$1 started=$SECONDS status=0
  shift
  echo "== $name"
  "$@" || status=$?
  echo "== lane step: $((SECONDS - started)) s, exit $status: $name"
  return "$status"
}

# lane_start LOG FUNCTION: runs FUNCTION (lane_step calls) in the background, its output to LOG.
lane_start() {
  (set -e; "$2") >"$1" 2>&1 &
  CI_LANE_PID=$!
}

# lane_wait LOG: waits for the lane, prints its output, and adds its steps to the stage times
# (tier `beside`: they ran beside the foreground's, so they are not added to the run's length).
# Returns the lane's exit status.
lane_wait() {
  local status=0 line
  wait "$CI_LANE_PID" || status=$?
  CI_LANE_PID=""
  cat "$1"
  while IFS= read -r line; do
    [[ $line =~ ^==\ lane\ step:\ ([0-9]+)\ s,\ exit\ [0-9]+:\ (.*)$ ]] || continue
    CI_STAGE_NAMES+=("beside	${BASH_REMATCH[2]}")
    CI_STAGE_SECONDS+=("${BASH_REMATCH[1]}")
  done <"$1"
  return "$status"
}

stages_print() {
  local status=$?
  # A lane still running when the run stops (a foreground step failed) is stopped with it, its
  # step first (npm passes the signal on to what it runs).
  if [ -n "$CI_LANE_PID" ]; then
    pkill -TERM -P "$CI_LANE_PID" 2>/dev/null || true
    kill "$CI_LANE_PID" 2>/dev/null || true
  fi
  stage_end
  local i tier name
  local -a tiers=()
  local -A sums=()
  echo "== stage times (seconds)"
  for i in "${!CI_STAGE_NAMES[@]}"; do
    IFS=$'\t' read -r tier name <<<"${CI_STAGE_NAMES[$i]}"
    printf '%6d  %-7s %s\n' "${CI_STAGE_SECONDS[$i]}" "$tier" "$name"
    [ -n "${sums[$tier]+x}" ] || tiers+=("$tier")
    sums[$tier]=$((${sums[$tier]:-0} + CI_STAGE_SECONDS[i]))
  done
  for tier in "${tiers[@]}"; do printf '%6d  %s\n' "${sums[$tier]}" "$tier"; done
  printf '%6d  in all (exit %d)\n' $((SECONDS - CI_RUN_STARTED)) "$status"
  return "$status"
}
