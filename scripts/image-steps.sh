#!/usr/bin/env bash
# The Dockerfile's build and run stages, replayed without a Docker engine in clean directories:
# build with dev dependencies, then run the compiled exporter with production dependencies only,
# against the simulator, and probe it the way the image's HEALTHCHECK does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Stage "build": the tracked files (what `COPY . .` sees), npm ci, npm run build.
mkdir -p "$work/build" "$work/run"
(cd "$root" && git ls-files -z | xargs -0 tar -cf - --) | tar -xf - -C "$work/build"
(cd "$work/build" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)

# Stage "run": package files, npm ci --omit=dev, the compiled output only.
cp "$root/package.json" "$root/package-lock.json" "$work/run/"
(cd "$work/run" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
cp -r "$work/build/dist" "$work/run/dist"
cd "$work/run"

node dist/src/simulator/main.js --listen-address 127.0.0.1:0 --customers 5 --profiles 2 >"$work/sim.log" &
pids+=($!)
for _ in $(seq 50); do grep -q "listening on" "$work/sim.log" && break; sleep 0.1; done
sim_url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/sim.log" | head -1)"

AVEPOINT_CLIENT_SECRET=demo-secret node dist/src/main.js --web.listen-address=127.0.0.1:0 \
  --avepoint.api-url="$sim_url" --avepoint.token-url="$sim_url/connect/token" \
  --avepoint.client-id=demo-client 2>"$work/exporter.log" &
pids+=($!)
for _ in $(seq 100); do grep -q "address=" "$work/exporter.log" && break; sleep 0.1; done
url="$(grep -o 'address=http://127.0.0.1:[0-9]*' "$work/exporter.log" | head -1 | cut -d= -f2)"

# The HEALTHCHECK of the Dockerfile, with the port this run got.
node -e "fetch('$url/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
metrics="$(node -e "fetch('$url/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))")"
grep -q '^avepoint_up 1$' <<<"$metrics"
echo "image steps: build and production run passed (production dependencies only, avepoint_up 1)"
