#!/usr/bin/env bash
# The Dockerfile's stages, replayed without a Docker engine in clean directories: "build" (npm ci,
# npm run build, the product set apart), "runtime" (npm ci --omit=dev) plus the product only, as the
# "exporter" target has it. Then the exporter runs from there against the simulator (from the build
# stage: the image has none), with TLS on a non-default listen address, and the image's HEALTHCHECK
# command checks it the way Docker would.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Stage "build": the tracked files (what `COPY . .` sees), npm ci, npm run build, the product.
mkdir -p "$work/build" "$work/run" "$work/product/dist"
(cd "$root" && git ls-files -z | xargs -0 tar -cf - --) | tar -xf - -C "$work/build"
(cd "$work/build" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
# The Dockerfile's "RUN mkdir -p /product/dist && cp ..." with /product in $work/product.
(cd "$work/build" && cp -r dist/src dist/build-info.json "$work/product/dist/" \
  && find "$work/product/dist" -name '*.map' -delete)

# Stage "runtime" + target "exporter": package files, npm ci --omit=dev, the product only.
cp "$root/package.json" "$root/package-lock.json" "$work/run/"
(cd "$work/run" && npm ci --omit=dev --workspaces=false --no-audit --no-fund --loglevel=error)
cp -r "$work/product/dist" "$work/run/dist"
for absent in dist/simulator simulator dist/src/simulator dist/demo dist/src/demo.js dist/bench dist/test node_modules/avepoint-simulator; do
  if [ -e "$work/run/$absent" ]; then echo "image steps: $absent must not be in the image" >&2; exit 1; fi
done
if find "$work/run/dist" -name '*.map' | grep -q .; then echo "image steps: source maps in the image" >&2; exit 1; fi

node "$work/build/simulator/dist/main.js" --listen-address 127.0.0.1:0 --customers 5 --profiles 2 >"$work/sim.log" &
pids+=($!)
for _ in $(seq 50); do grep -q "listening on" "$work/sim.log" && break; sleep 0.1; done
sim_url="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/sim.log" | head -1)"

# TLS from a web config, on a port of its own rather than the default :10123.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout "$work/tls.key" \
  -out "$work/tls.crt" >/dev/null 2>&1
printf 'tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n' >"$work/web.yml"
port="$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"

cd "$work/run"
AVEPOINT_CLIENT_SECRET=demo-secret WEB_CONFIG_FILE="$work/web.yml" node dist/src/main.js \
  --web.listen-address="127.0.0.1:$port" --avepoint.api-url="$sim_url" \
  --avepoint.token-url="$sim_url/connect/token" --avepoint.client-id=demo-client 2>"$work/exporter.log" &
exporter=$!
pids+=("$exporter")
for _ in $(seq 100); do grep -q "address=" "$work/exporter.log" && break; sleep 0.1; done

# The image's HEALTHCHECK command, as the Dockerfile has it, pointed at the exporter's process (in the
# image it is process 1 and found without --pid).
healthcheck="$(sed -n 's/^ *CMD \(\[.*\]\)$/\1/p' "$root/Dockerfile" | tail -1)"
mapfile -t command < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$healthcheck")
"${command[@]}" --pid="$exporter"

metrics="$(node -e "require('node:https').get('https://127.0.0.1:$port/metrics', { rejectUnauthorized: false },
  (r) => { let t = ''; r.on('data', (c) => (t += c)); r.on('end', () => process.stdout.write(t)); })")"
grep -q '^avepoint_up 1$' <<<"$metrics"
echo "image steps: build, product-only image and HEALTHCHECK over TLS on :$port passed (avepoint_up 1)"
