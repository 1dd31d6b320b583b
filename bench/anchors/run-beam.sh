#!/usr/bin/env bash
# Run the BEAM anchor (bench/anchors/reconciler.exs) when Elixir is installed.
#
#   npm run bench:beam [-- --count 100000 --seconds 10 --json]
#
# Without `elixir` on PATH this says how to get it and exits 0, so the suite still runs.
set -euo pipefail

if ! command -v elixir >/dev/null 2>&1; then
  echo "bench:beam skipped: elixir is not installed." >&2
  echo "  Install it (Debian/Ubuntu): apt-get install elixir erlang-nox" >&2
  echo "  then run: npm run bench:beam" >&2
  exit 0
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# +P: room for the processes; +sbwt none ...: no scheduler busy-waiting, so CPU time is work.
exec elixir --erl "+P 2000000 +sbwt none +sbwtdcpu none +sbwtdio none" "$here/reconciler.exs" "$@"
