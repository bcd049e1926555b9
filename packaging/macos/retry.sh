# Sourced by the macOS packaging scripts.
# retry N CMD...: run CMD up to N times, waiting 5, 10, 15... s (RETRY_DELAY_S x attempt)
# between attempts. hdiutil fails now and then on hosted runners ("Resource busy" while
# the system scans the new image); a second try a few seconds later succeeds.
retry() {
  local attempts=$1 n=1
  shift
  until "$@"; do
    if (( n >= attempts )); then
      echo "retry: '$*' failed $n times, giving up" >&2
      return 1
    fi
    local wait=$(( n * ${RETRY_DELAY_S:-5} ))
    echo "retry: '$*' failed (attempt $n of $attempts), trying again in $wait s" >&2
    sleep "$wait"
    n=$(( n + 1 ))
  done
}
