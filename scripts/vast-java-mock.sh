#!/usr/bin/env bash
# Builds the mock server that VAST's Java connectors ship (vast-data/vast-db-connectors,
# plugin/ndb-common, com.vastdata.mockserver) with tams-server's launcher
# (scripts/vast-java-mock/), for test/vast/java-mock/: the engine's catalog operations against a
# second reading of VAST's server side, written by VAST. Nothing of the connectors is kept in this
# repository: their source, at the pinned commit, comes from a git repository holding it, named by
# VAST_CONNECTORS_GIT (a clone, or its .git directory) or found at ../shared/vast/vast-db-connectors;
# their dependencies and Maven's plugins come from Maven Central. The build (about 2 minutes the
# first time, ~210 MB with its Maven repository) is cached per commit in ~/.cache/tams-server/ and
# linked at .tools/vast-java-mock; later runs only link it.
#
# Exit status: 0 built (or cached), 3 when no source at the pinned commit is available (the tests
# are then skipped, saying so), 1 on a failed build.
set -euo pipefail
cd "$(dirname "$0")/.."

COMMIT=7bd2b195ebf864f37b2c9525b7614352ae207636
CACHE="${TAMS_VAST_JAVA_MOCK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tams-server/vast-java-mock-$COMMIT}"
LAUNCHER=scripts/vast-java-mock
# The launcher is rebuilt when its own files change; the connectors only for another commit.
STAMP="$(cat "$LAUNCHER/pom.xml" "$LAUNCHER"/src/main/java/tams/*.java | sha256sum | cut -c1-16)"
mvn=(mvn -B -q -Dmaven.repo.local="$CACHE/m2" -DskipTests -Dair.check.skip-all=true)

if [ ! -f "$CACHE/connectors-built" ]; then
  source_git=""
  for candidate in "${VAST_CONNECTORS_GIT:-}" ../shared/vast/vast-db-connectors ../shared/vast/vast-db-connectors.git; do
    [ -n "$candidate" ] && [ -e "$candidate" ] || continue
    git_dir=$(git -C "$candidate" rev-parse --absolute-git-dir 2>/dev/null || echo "$candidate")
    if git --git-dir="$git_dir" cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
      source_git="$git_dir"
      break
    fi
  done
  if [ -z "$source_git" ]; then
    echo "vast-java-mock: no git repository of vast-data/vast-db-connectors holding commit $COMMIT" >&2
    echo "  (set VAST_CONNECTORS_GIT to a clone of it, or place one at ../shared/vast/vast-db-connectors)" >&2
    exit 3
  fi
  for tool in mvn java git; do
    command -v "$tool" >/dev/null || { echo "vast-java-mock: $tool is needed" >&2; exit 1; }
  done
  echo "== building VAST's Java connectors' ndb-common ($COMMIT) with $(mvn -v | head -1 | sed 's/\x1b\[[0-9;]*m//g'), Java $(java -version 2>&1 | head -1 | cut -d'"' -f2)"
  src=$(mktemp -d)
  git --git-dir="$source_git" archive "$COMMIT" pom.xml scripts plugin/ndb-common | tar -x -C "$src"
  mkdir -p "$CACHE"
  # Their root pom (the parent, on airbase), then ndb-common, into the cache's own repository.
  "${mvn[@]}" -N -f "$src/pom.xml" install
  "${mvn[@]}" -f "$src/plugin/ndb-common/pom.xml" install
  rm -rf "$src"
  touch "$CACHE/connectors-built"
fi

if [ ! -f "$CACHE/ready" ] || [ "$(cat "$CACHE/ready")" != "$STAMP" ]; then
  echo "== building the launcher (scripts/vast-java-mock)"
  build=$(mktemp -d)
  "${mvn[@]}" -f "$LAUNCHER/pom.xml" -Dtams.out="$build" package dependency:build-classpath \
    -Dmdep.outputFile="$build/classpath.txt"
  rm -rf "$CACHE/classes"
  cp -r "$build/classes" "$CACHE/classes"
  cat > "$CACHE/run.sh" <<RUN
#!/usr/bin/env bash
# VAST's Java mock server: run.sh <port, 0 for any> <bucket>; prints port=<n> and ready.
exec java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$CACHE/classes:$(cat "$build/classpath.txt")" tams.MockMain "\$@"
RUN
  chmod +x "$CACHE/run.sh"
  rm -rf "$build"
  echo "$STAMP" > "$CACHE/ready"
fi

mkdir -p .tools
ln -sfn "$CACHE" .tools/vast-java-mock
echo "== VAST's Java mock server at .tools/vast-java-mock/run.sh ($COMMIT)"
