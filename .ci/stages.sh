# Sourced by .ci/run: each step of the run is a stage, timed from its `stage` line to the next;
# the times are printed at the end of the run, and also when it fails (the failed stage last).
CI_STAGE_NAMES=()
CI_STAGE_SECONDS=()
CI_STAGE_CURRENT=""
CI_STAGE_STARTED=0
CI_RUN_STARTED=$SECONDS

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

stages_print() {
  local status=$?
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
