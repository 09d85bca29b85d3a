#!/usr/bin/env bash
# Packs every published package, checks each tarball with publint --strict and attw, then installs
# all tarballs into an empty npm project (no workspace) and smoke-imports each one from ESM and CJS.
# Needs `pnpm build` first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tgz" "$tmp/consumer"
names=()
for dir in "$root"/packages/*/; do
  name=$(node -p "require('$dir/package.json').name")
  names+=("$name")
  (cd "$dir" && pnpm pack --pack-destination "$tmp/tgz" >/dev/null)
done
status=0
for tgz in "$tmp"/tgz/*.tgz; do
  echo "== $(basename "$tgz")"
  (cd "$root" && pnpm exec publint run --strict "$tgz") || status=1
  (cd "$root" && pnpm exec attw --pack "$tgz" --profile node16 --format ascii --no-emoji) || status=1
done
cd "$tmp/consumer"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tmp"/tgz/*.tgz >/dev/null
for name in "${names[@]}"; do
  cat > esm.mjs <<JS
import * as m from '$name';
if (Object.keys(m).length === 0) throw new Error('$name: ESM import has no exports');
console.log('esm ok  $name', Object.keys(m).length, 'exports');
JS
  cat > cjs.cjs <<JS
const m = require('$name');
if (Object.keys(m).length === 0) throw new Error('$name: CJS require has no exports');
console.log('cjs ok  $name', Object.keys(m).length, 'exports');
JS
  node esm.mjs || status=1
  node cjs.cjs || status=1
done
if [ "$status" -ne 0 ]; then echo "package checks FAILED"; exit 1; fi
echo "package checks passed for ${#names[@]} packages"
