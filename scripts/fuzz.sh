#!/usr/bin/env bash
# Fuzzes one target of the fuzz module for a while (Jazzer, coverage-guided):
#
#   scripts/fuzz.sh TARGET [MINUTES]      e.g. scripts/fuzz.sh Ipv4FuzzTest 30
#   scripts/fuzz.sh --list                the targets
#
# TARGET is a class in fuzz/src/test/java (a simple name in dev.tsunagu.fuzz, or a full one).
# It builds the fuzz module and what it needs (no install), then runs the target's @FuzzTest
# with JAZZER_FUZZ=1 for MINUTES (default 10) in a plain JVM, so targets can run side by side.
# A finding stops the run; its input is saved under
# fuzz/src/test/resources/<package>/<Target>Inputs/<method>/ and from then on replays in
# ./check. The corpus Jazzer grows lives in fuzz/.cifuzz-corpus/ (not committed).
# FUZZ_NO_BUILD=1 skips the build (when another run just made it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ "${1:-}" == "--list" ]]; then
  find fuzz/src/test/java -name '*FuzzTest.java' -printf '%f\n' | sed 's/\.java$//' | sort
  exit 0
fi
target="${1:?usage: scripts/fuzz.sh TARGET [MINUTES]  (scripts/fuzz.sh --list)}"
minutes="${2:-10}"
cp_file=fuzz/target/fuzz.classpath
if [[ "${FUZZ_NO_BUILD:-}" != 1 || ! -f "$cp_file" ]]; then
  ./mvnw -B -ntp -q test-compile dependency:build-classpath -pl fuzz -am \
    -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >&2
fi
source scripts/find-jdk.sh
java="$(tsunagu_find_jdk)/bin/java"
cd fuzz
JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${minutes}m" exec "$java" -XX:+EnableDynamicAgentLoading -Xmx1g \
  --enable-native-access=ALL-UNNAMED \
  -cp "target/test-classes:$(cat "target/fuzz.classpath")" dev.tsunagu.fuzz.FuzzMain "$target"
