# shellcheck shell=bash
# Sourced by .ci/run after `npm test`: runs every package's test suite again under Node 24, the
# newest line product teams run (engines stay ">=20.19"; this machine's Node is 20). Node 24 comes
# from the npm registry as a real binary (the node-linux-<arch> package), installed under
# node_modules/.cache, so nothing is downloaded from anywhere else. The suites run from source,
# as under Node 20, on what `npm test` already built (no second build, no type tests: types do not
# depend on the runtime); each package writes test-results.node24.json, which
# scripts/test-summary.mjs adds to the total. The demo's browser suite and the bench are not run.

candor_node24_tests() {
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "== node 24: no node-linux package for $(uname -m)"; return 1 ;;
  esac
  local prefix="$PWD/node_modules/.cache/candor-node24"
  echo "== node 24: installing node-linux-$arch@24 from the npm registry"
  npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$prefix" \
    "node-linux-$arch@24" >/dev/null || return 1
  local bin="$prefix/node_modules/node-linux-$arch/bin"
  "$bin/node" --version >/dev/null || { echo "== node 24: the binary does not run here"; return 1; }
  echo "== node 24: $("$bin/node" --version), package suites"

  local vitest="$PWD/node_modules/vitest/vitest.mjs" status=0 dir
  for dir in packages/*/; do
    [ -f "$dir/package.json" ] || continue
    rm -f "$dir/test-results.node24.json"
    echo "== node 24: ${dir%/}"
    # `node` on PATH is Node 24 too, for anything a test starts by name.
    (cd "$dir" && PATH="$bin:$PATH" "$bin/node" "$vitest" run --typecheck.enabled=false \
      --outputFile.json=test-results.node24.json) || {
      status=1
      CANDOR_NODE24_FAILED="${CANDOR_NODE24_FAILED:-} ${dir%/}"
    }
  done
  return "$status"
}
