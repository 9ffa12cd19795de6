# Shared by the scripts in this folder: paths, tool installation, the front-end build.
# Sourced, not run. Everything it installs comes from crates.io, Debian or npm; nothing else.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${INVENTORY_SYNC_CACHE:-$HOME/.cache/inventory-sync}"
# Outside the clone, so that later runs on the same machine are incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
FRONT_TARGET_DIR="$CACHE/target-front"
# Read by leptos at compile time: the page then asks for inventory-sync.wasm. Set for every
# cargo call so that build and test share artifacts.
export LEPTOS_OUTPUT_NAME=inventory-sync
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$CACHE/site}"
export LEPTOS_SITE_PKG_DIR=pkg

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen version pinned in Cargo.lock; the CLI must be exactly that version.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# Installs crate $1 at version $2 from crates.io into folder $3, once, so that $3/bin/$4 exists;
# further arguments go to `cargo install`. Two first runs at once (two `scripts/demo`s) used to
# install into the same folder together and one failed with "failed to copy": the install runs
# under a lock, into a temporary folder that is moved into place only when complete, so a
# folder with the tool in it is always a whole one.
install_tool() {
  local crate="$1" version="$2" dir="$3" bin="$4"
  shift 4
  [ -x "$dir/bin/$bin" ] && return 0
  mkdir -p "$(dirname "$dir")"
  (
    flock 9
    # The other run may have finished the install while this one waited for the lock.
    if [ ! -x "$dir/bin/$bin" ]; then
      tmp="$(mktemp -d "$dir.partial.XXXXXX")"
      trap 'rm -rf "$tmp"' EXIT
      log "installing $crate $version from crates.io (a few minutes, once)"
      cargo install "$crate" --version "$version" --root "$tmp" "$@"
      rm -rf "$dir"
      mv "$tmp" "$dir"
    fi
  ) 9>"$dir.lock"
}

ensure_wasm_bindgen() {
  local version dir
  version="$(wasm_bindgen_version)"
  dir="$CACHE/tools/wasm-bindgen-$version"
  # Not --locked: its lock file can want crates newer than this toolchain accepts.
  install_tool wasm-bindgen-cli "$version" "$dir" wasm-bindgen
  WASM_BINDGEN="$dir/bin/wasm-bindgen"
}

# Builds the browser bundle into $LEPTOS_SITE_ROOT/pkg: wasm, JS glue and CSS.
build_front() {
  ensure_wasm_target
  ensure_wasm_bindgen
  log "building the front end (wasm)"
  (cd "$ROOT" && CARGO_TARGET_DIR="$FRONT_TARGET_DIR" cargo build -p app --lib \
    --target wasm32-unknown-unknown --no-default-features --features hydrate)
  local pkg="$LEPTOS_SITE_ROOT/$LEPTOS_SITE_PKG_DIR"
  mkdir -p "$pkg"
  "$WASM_BINDGEN" --target web --no-typescript --out-dir "$pkg" --out-name "$LEPTOS_OUTPUT_NAME" \
    "$FRONT_TARGET_DIR/wasm32-unknown-unknown/debug/app.wasm"
  mv -f "$pkg/${LEPTOS_OUTPUT_NAME}_bg.wasm" "$pkg/$LEPTOS_OUTPUT_NAME.wasm"
  cat "$ROOT"/style/*.css > "$pkg/$LEPTOS_OUTPUT_NAME.css"
}

build_server() {
  log "building the server"
  # The demo feature bundles the e-conomic simulator (demo mode and the browser tests use it).
  (cd "$ROOT" && cargo build -p server --features demo)
}

ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    log "installing Chromium from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

ensure_playwright() {
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
    log "installing Playwright (npm; the browser is Debian's Chromium)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
}

# cargo-deny, pinned: 0.20.2 is the newest release whose MSRV (1.88) this toolchain meets.
CARGO_DENY_VERSION=0.20.2

ensure_cargo_deny() {
  local dir="$CACHE/tools/cargo-deny-$CARGO_DENY_VERSION"
  install_tool cargo-deny "$CARGO_DENY_VERSION" "$dir" cargo-deny --locked
  CARGO_DENY="$dir/bin/cargo-deny"
}

# Licenses, banned crates and sources against deny.toml. Advisories need the RustSec database,
# which cargo-deny clones from a git host outside the package registries: checked only when
# CHECK_ADVISORIES=1 (on a machine that reaches it).
check_dependencies() {
  ensure_cargo_deny
  local checks=(licenses bans sources)
  if [ "${CHECK_ADVISORIES:-0}" = 1 ]; then checks+=(advisories); fi
  (cd "$ROOT" && "$CARGO_DENY" --log-level error check "${checks[@]}")
}
