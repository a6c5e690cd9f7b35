#!/usr/bin/env bash
# Validates kinfer's deployment files. CI runs it; so can you, from anywhere:
#
#   deploy/check.sh                              # static checks
#   KINFER_BIN=.build/release/kinfer deploy/check.sh   # + CLI flags vs. `kinfer ... --help`
#
# Needs: bash, python3 with PyYAML, promtool (Debian: prometheus package).
# Optional: kubectl (renders the kustomization offline), KINFER_BIN (a built kinfer).
# Prints one line per check and ends with "deploy checks: N passed, M failed[, K skipped]";
# exits non-zero if anything failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

passed=0
failed=0
skipped=0
failures=()

check() {
    local name="$1"
    shift
    echo "== ${name}"
    local output status=0
    output="$("$@" 2>&1)" || status=$?
    [[ -n "${output}" ]] && sed 's/^/   /' <<<"${output}"
    if [[ ${status} -eq 0 ]]; then
        echo "   PASS ${name}"
        passed=$((passed + 1))
    else
        echo "   FAIL ${name} (exit ${status})"
        failed=$((failed + 1))
        failures+=("${name}")
    fi
}

skip() {
    echo "== $1"
    echo "   SKIP $1: $2"
    skipped=$((skipped + 1))
}

require() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "deploy/check.sh: '$1' is required ($2)" >&2
        exit 2
    fi
}
require python3 "python3 with PyYAML"
require promtool "Debian package 'prometheus'"
python3 -c 'import yaml' 2>/dev/null || { echo "deploy/check.sh: python3 cannot import yaml (PyYAML)" >&2; exit 2; }

manifests=deploy/check_manifests.py

# 1. Syntax: every YAML file in deploy/ and docker-compose.yml.
check "YAML parses (deploy/**/*.y*ml, docker-compose.yml)" python3 "${manifests}" yaml

# 2. Compose: health checks, depends_on conditions, KRaft settings, grace periods,
#    every kinfer service scraped by deploy/prometheus/prometheus.yml; the gateway's API
#    keys, shared database, published port, and agreement with the workers and notifier.
check "docker-compose.yml structure" python3 "${manifests}" compose

# 3. Kubernetes + KEDA: references, probes, limits, security, scaler consistency
#    (KEDA and HPA), Services' selectors and ports, preStop + grace periods, PDBs.
check "kubernetes + KEDA manifests consistent" python3 "${manifests}" kubernetes

# 4. Kustomize renders (offline; no cluster needed).
if command -v kubectl >/dev/null 2>&1; then
    check "kustomize build deploy/kubernetes" bash -c 'kubectl kustomize deploy/kubernetes >/dev/null'
else
    skip "kustomize build deploy/kubernetes" "kubectl not installed"
fi

# 5-7. Prometheus configuration, rules and rule unit tests.
check "promtool check config" promtool check config deploy/prometheus/prometheus.yml
check "promtool check rules" promtool check rules deploy/prometheus/alerts.yml
check "promtool test rules" promtool test rules deploy/prometheus/alerts_test.yml

# 8. Dockerfile: what it COPYs from the context exists and is not .dockerignored.
dockerfile_context() {
    local problems=0 src
    for src in Package.swift Sources Tests; do
        grep -Eq "^COPY[[:space:]].*\\b${src}\\b" deploy/Dockerfile || { echo "Dockerfile does not COPY ${src}"; problems=1; }
        [[ -e "${src}" ]] || { echo "${src} missing from the repository"; problems=1; }
        if grep -Eqx "(/)?${src}(/.*)?" .dockerignore; then echo ".dockerignore excludes ${src}"; problems=1; fi
    done
    grep -q -- '--static-swift-stdlib' deploy/Dockerfile || { echo "Dockerfile does not link the Swift stdlib statically"; problems=1; }
    grep -q '^ENTRYPOINT \["kinfer"\]' deploy/Dockerfile || { echo 'Dockerfile ENTRYPOINT is not ["kinfer"]'; problems=1; }
    grep -q '^USER ' deploy/Dockerfile || { echo "Dockerfile runtime stage sets no USER"; problems=1; }
    return "${problems}"
}
check "Dockerfile build context" dockerfile_context

# 9. Every `kinfer ...` command line in compose/Kubernetes against the real CLI.
kinfer_flags() {
    local problems=0 where sub flags help flag
    local -A helps=()
    while IFS=$'\t' read -r where sub flags; do
        if [[ -z "${helps[${sub}]+x}" ]]; then
            # shellcheck disable=SC2086  # the subcommand path is words on purpose
            if ! help="$("${KINFER_BIN}" ${sub} --help 2>&1)"; then
                echo "MISMATCH ${where}: \`kinfer ${sub} --help\` failed - no such subcommand?"
                sed 's/^/      /' <<<"${help}" | head -5
                problems=1
                helps[${sub}]=""
                continue
            fi
            helps[${sub}]="${help}"
        fi
        help="${helps[${sub}]}"
        [[ -z "${help}" ]] && continue
        for flag in ${flags}; do
            if grep -Eq -- "(^|[^[:alnum:]-])${flag}([^[:alnum:]-]|\$)" <<<"${help}"; then
                echo "ok   ${where}: kinfer ${sub} ${flag}"
            else
                echo "MISMATCH ${where}: kinfer ${sub} has no ${flag} in its --help"
                problems=1
            fi
        done
    done < <(python3 "${manifests}" commands)
    return "${problems}"
}
if [[ -n "${KINFER_BIN:-}" ]]; then
    if [[ -x "${KINFER_BIN}" ]]; then
        check "kinfer command lines match \`${KINFER_BIN} <subcommand> --help\`" kinfer_flags
    else
        echo "== kinfer command lines"
        echo "   FAIL: KINFER_BIN=${KINFER_BIN} is not an executable file"
        failed=$((failed + 1))
        failures+=("kinfer command lines (KINFER_BIN not executable)")
    fi
else
    skip "kinfer command lines vs. CLI" "KINFER_BIN is unset; set it to a built kinfer (e.g. .build/release/kinfer) to check flags"
    python3 "${manifests}" commands | sed 's/^/   would check: /'
fi

echo
if [[ ${failed} -gt 0 ]]; then
    printf 'failed: %s\n' "${failures[@]}"
fi
summary="deploy checks: ${passed} passed, ${failed} failed"
[[ ${skipped} -gt 0 ]] && summary+=", ${skipped} skipped"
echo "${summary}"
[[ ${failed} -eq 0 ]]
