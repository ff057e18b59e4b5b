# Sourced by the functional test scripts: the Debian guest of
# scripts/fetch-guest.sh, or a skip (77) when it cannot be had.
#
#   . "$ROOT/tests/functional/lib/guest.sh"
#   G=$(fetch_guest_or_skip arm64) || exit $?

# Prints the guest directory. Exits the caller's subshell with 77 (skip)
# when there is neither network nor cache, 1 when the fetch fails otherwise.
fetch_guest_or_skip() {
    _log=$(mktemp)
    if _dir=$("$ROOT/scripts/fetch-guest.sh" "$1" 2>"$_log"); then
        rm -f "$_log"
        echo "$_dir"
        return 0
    fi
    if ! getent hosts deb.debian.org >/dev/null 2>&1; then
        echo "SKIP: cannot fetch the $1 guest (no network):" >&2
        cat "$_log" >&2
        rm -f "$_log"
        return 77
    fi
    echo "FAIL: scripts/fetch-guest.sh $1 failed:" >&2
    cat "$_log" >&2
    rm -f "$_log"
    return 1
}
