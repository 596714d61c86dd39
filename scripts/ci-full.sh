# Sourced by .ci/run (`.ci/run --full`, `--full-only`, or where scripts/ci-tier.ts finds the full
# tier due): the checks the landing tier holds back, each safe to hold back for the reason given
# in docs/development.md ("CI tiers"). Uses what .ci/run set up: the build, the venvs, MinIO,
# PostgreSQL's binaries, Chromium and ffmpeg, $reports and vitest_json.

# The HTTP suites in full on the core store path (DuckDB without the embedded accelerator), which
# is the path the shared engines take, and on those engines: on the fake VAST server (media on
# s3rver) and on PostgreSQL (media on MinIO). The landing tier runs a curated smoke of them on
# each, and all of them on the accelerator path.
stage full "test: the HTTP suites on the core store path of each engine, the recorder's real-time suites (projects core-http, vast-http, postgres-http, recorder-live)"
# shellcheck disable=SC2046
npx vitest run --project core-http --project vast-http --project postgres-http --project recorder-live $(vitest_json full-http)

# `npm start` stopped by Ctrl-C 20 times (the landing tier's 5 may see only one of the two ways
# npm's relayed SIGINT arrives: test/ops/npm-start.test.ts).
stage full "test: npm start stopped by Ctrl-C 20 times (test/ops/npm-start.test.ts)"
# shellcheck disable=SC2046
TAMS_TEST_NPM_START_BATCHES=4 npx vitest run --project integration test/ops/npm-start.test.ts $(vitest_json npm-start)

# Node 22 and 24 (the container image's) from the repository: the compiled server's smoke test,
# the image's tree with the production dependencies only, and the unit tier on 24. The HTTP tiers
# test the store, the engines and the page, not the runtime.
node22_bin="$(bash scripts/node-install.sh 22)"
stage full "compiled server smoke test on Node $("$node22_bin/node" --version)"
PATH="$node22_bin:$PATH" npm run smoke:dist
node24_bin="$(bash scripts/node-install.sh 24)"
stage full "the image's tree on Node $("$node24_bin/node" --version) (scripts/image-tree.sh .tmp/image), smoke test"
PATH="$node24_bin:$PATH" bash scripts/image-tree.sh .tmp/image
PATH="$node24_bin:$PATH" npm run smoke:dist -- --image .tmp/image
rm -rf .tmp/image
stage full "test on Node $("$node24_bin/node" --version) (vitest, project unit)"
# shellcheck disable=SC2046
PATH="$node24_bin:$PATH" npx vitest run --project unit $(vitest_json node24)

# The same SDK runs with the newest vastdb release (scripts/oracles-newest-requirements.txt,
# pinned with hashes in its own venv: bumping it there is how a newer SDK's demands show up).
stage full "VAST SDK, newest release: venv (scripts/oracles-venv.sh newest)"
newest_py="$(bash scripts/oracles-venv.sh newest)/bin/python"
# A release newer than the pin is named here (not a failure: the pin is what CI tests).
pinned="$(sed -n 's/^vastdb==\([^ ]*\).*/\1/p' scripts/oracles-newest-requirements.txt)"
on_pypi="$("$newest_py" -m pip index versions vastdb 2>/dev/null | sed -n 's/^vastdb (\(.*\))$/\1/p' || true)"
if [ -n "$on_pypi" ] && [ "$on_pypi" != "$pinned" ]; then
  echo "== note: vastdb $on_pypi is on PyPI, scripts/oracles-newest-requirements.in pins $pinned: bump it"
fi
stage full "VAST SDK, newest release, against the recording stub (npm run vast:sdk:stub:newest)"
npm run vast:sdk:stub:newest
stage full "VAST SDK, newest release, against the fake VAST server (npm run vast:sdk:fake:newest)"
npm run vast:sdk:fake:newest
stage full "VAST QueryData parser fuzz against the newest SDK's parser (test/vast/parser, ~3 s)"
# shellcheck disable=SC2046
TAMS_VAST_FUZZ_VENV="$(dirname "$(dirname "$newest_py")")" npx vitest run --project integration test/vast/parser $(vitest_json parser-newest)

stage full "API fuzzing of the 8.2 mount, quick mode (npm run fuzz -- --version 8.2)"
npm run fuzz -- --version 8.2

# The remaining benches in quick mode: they check that every figure is produced (the timings
# mean nothing on CI).
full_bench="$(mktemp -d)"
# The broadcast bench keeps PostgreSQL's data in it, run as nobody when CI runs as root.
chmod 755 "$full_bench"
stage full "benchmark, quick mode (every figure of the main benchmark is produced)"
npm run bench -- --quick --dir "$full_bench/data" --out "$full_bench/quick.json"
stage full "benchmark of media search's latency, quick mode (10,000 cues; the quality gate is the landing tier's)"
npm run bench -- --search --quick --latency-only --dir "$full_bench/data" --out "$full_bench/search.json"
stage full "benchmark of EXR metadata, quick mode (the samples of ../shared/exr-samples, 200 frames)"
npm run bench -- --exr --quick --dir "$full_bench/data" --out "$full_bench/exr.json"
# Analytics over the quick data set built above (reused: same size).
stage full "benchmark of analytics, quick mode (100,000 segments)"
npm run bench -- --analytics --quick --reuse --dir "$full_bench/data" --out "$full_bench/analytics.json"
stage full "benchmark on VAST (the fake VAST server), quick mode"
npm run bench -- --quick --engine vast --dir "$full_bench/data" --out "$full_bench/quick-vast.json"
# A throwaway PostgreSQL of its own, fsync on: CPU per operation of the server and of PostgreSQL.
stage full "benchmark on PostgreSQL, quick mode"
npm run bench -- --quick --engine postgres --dir "$full_bench/data" --out "$full_bench/quick-postgres.json"
for engine in postgres vast duckdb; do
  stage full "broadcast benchmark on $engine, quick mode (50,000 segments in one Flow: every scenario produces its figures)"
  npm run bench -- --broadcast --quick --engine "$engine" --dir "$full_bench/broadcast-$engine" --out "$full_bench/broadcast-$engine.json"
done
stage full "benchmark of the live recorder, quick mode (20 s of 1080p25 recorded, ingest beside it)"
node --import tsx bench/recorder.bench.ts --quick --dir "$full_bench/recorder" > "$full_bench/recorder.json"
rm -rf "$full_bench"
stage_end
