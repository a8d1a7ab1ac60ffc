#!/usr/bin/env bash
# User names reach the user database byte for byte: Tests/c/user-names/logon-names.c against
# two local accounts made here with useradd --badname (names that are not portable), one
# named with the bytes of U+FFFD (what a UTF-8 repair turns an invalid byte into) and one with
# a valid non-ASCII name. Both accounts are removed on exit. Needs root (useradd).
set -uo pipefail
root=${HOSTSEC_ROOT:?} lib=${HOSTSEC_LIB_DIR:?} out=${HOSTSEC_TEST_OUT:?}/user-names
rm -rf "$out" && mkdir -p "$out"
if [ "$(id -u)" -ne 0 ]; then echo "skip: needs root to create accounts"; exit 77; fi
replacement=$(printf 'hostsec-test-jos\xef\xbf\xbd')
valid=$(printf 'hostsec-test-jos\xc3\xa9')
created=()
cleanup() { for name in "${created[@]}"; do userdel "$name" >/dev/null 2>&1; done; }
trap cleanup EXIT
for name in "$replacement" "$valid"; do
    if getent passwd "$name" >/dev/null; then echo "FAIL setup: an account $(printf %q "$name") already exists"; exit 1; fi
    useradd --badname --system --no-create-home --no-user-group --gid nogroup --shell /usr/sbin/nologin "$name" ||
        { echo "FAIL setup: useradd $(printf %q "$name")"; exit 1; }
    created+=("$name")
done
gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$root/include" -I"$root/Tests/c" \
    "$root/Tests/c/user-names/logon-names.c" -L"$lib" -lhostsec -Wl,-rpath,"$lib" -o "$out/logon-names" ||
    { echo "FAIL build"; exit 1; }
"$out/logon-names"
