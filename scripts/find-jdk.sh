# Sourced by ./mvnw and ./tsunagu: prints the home of a JDK 25+ or fails with a clear line.
tsunagu_jdk_major() {  # $1 = a JDK home; prints its feature version, e.g. 25
  local rel="$1/release" v
  [ -x "$1/bin/javac" ] && [ -f "$rel" ] || return 1
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
  [ -n "$v" ] && echo "$v"
}
tsunagu_find_jdk() {
  local need=25 best="" bestv=0 d v
  if [ -n "${JAVA_HOME:-}" ] && v=$(tsunagu_jdk_major "$JAVA_HOME") && [ "$v" -ge "$need" ]; then
    echo "$JAVA_HOME"; return 0
  fi
  for d in /usr/lib/jvm/*/; do
    d="${d%/}"
    [ -L "$d" ] && continue
    v=$(tsunagu_jdk_major "$d") || continue
    if [ "$v" -ge "$need" ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "tsunagu: no JDK $need or newer found (looked at \$JAVA_HOME and /usr/lib/jvm); install one, e.g. apt-get install openjdk-25-jdk-headless" >&2
    return 1
  fi
  echo "$best"
}
