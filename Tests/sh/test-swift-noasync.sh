#!/usr/bin/env bash
# The synchronous scopes cannot be picked by async code: a plain closure literal in an async
# function would select the synchronous `withImpersonation` / `withSecurityContext` (a switch of
# a cooperative thread, no identity executor); both are `noasync`, so that is a compile error
# naming the async form. Controls: the same calls with an async closure compile in async code,
# and the synchronous forms still compile in synchronous code. Type-checks callers with swiftc
# against the HostSecurity module of the debug build.
. "$(dirname "$0")/lib.sh" swift-noasync

(cd "$root" && swift build --target HostSecurity >"$out/build.log" 2>&1) || {
    fail build "$(tail -20 "$out/build.log")"
    finish
    exit
}
modules=$(cd "$root" && swift build --show-bin-path)/Modules

# typecheck NAME SOURCE: swiftc's diagnostics for SOURCE in $out/NAME.log; its exit status.
typecheck() {
    printf 'import HostSecurity\n%s\n' "$2" >"$out/$1.swift"
    swiftc -swift-version 6 -typecheck -I "$modules" -I "$root/include" -I "$root/Sources/CLibFFI" \
        "$out/$1.swift" >"$out/$1.log" 2>&1
}

# refused NAME SOURCE CALLEE: SOURCE does not compile, and the error is the noasync one.
refused() {
    local name=$1 callee=$3
    if typecheck "$name" "$2"; then
        fail "$name" "compiled: $(cat "$out/$name.log")"
    elif ! grep -q "error: global function '$callee' is unavailable from asynchronous contexts; use the async form" \
        "$out/$name.log"; then
        fail "$name" "not the noasync error: $(cat "$out/$name.log")"
    else
        ok "$name"
    fi
}

# compiles NAME SOURCE: SOURCE compiles without a diagnostic about the scope.
compiles() {
    if typecheck "$1" "$2" && ! grep -q "unavailable\|no 'async' operations" "$out/$1.log"; then
        ok "$1"
    else
        fail "$1" "$(cat "$out/$1.log")"
    fi
}

refused an_async_caller_of_the_synchronous_withImpersonation_is_a_compile_error '
func serve(_ token: Token) async throws -> Int {
    try await withImpersonation(of: token) { 1 }
}' withImpersonation

refused an_async_caller_of_the_synchronous_withSecurityContext_is_a_compile_error '
func replay(_ context: SecurityContext) async throws -> Int {
    try await withSecurityContext(context) { 2 }
}' withSecurityContext

compiles the_async_scopes_compile_in_async_code '
func serve(_ token: Token, _ context: SecurityContext) async throws -> Int {
    let a = try await withImpersonation(of: token) { () async in 1 }
    let b = try await withSecurityContext(context) { () async in 2 }
    return a + b
}'

compiles the_synchronous_scopes_compile_in_synchronous_code '
func serve(_ token: Token, _ context: SecurityContext) throws -> Int {
    let a = try withImpersonation(of: token) { 1 }
    let b = try withSecurityContext(context) { 2 }
    return a + b
}'
finish
