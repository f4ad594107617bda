#!/usr/bin/env bash
# One prepared pass on a GPU machine without Swift: a statically linked attngen (built with
# `swift build -c release --static-swift-stdlib`) plus the OpenCL ICD loader and the Vulkan
# loader as Debian packages, all in $ATTNGEN_GPU_KIT. Shows what auto picks, checks every
# catalogue spec on OpenCL and Vulkan against the float64 reference, then times the benchmark
# specs on both APIs and PyTorch's SDPA on the same shapes.
# Making the kit on a Debian/Ubuntu x86-64 build machine:
#   swift build -c release --static-swift-stdlib --product attngen --scratch-path .build-gpu
#   mkdir -p .gpu/debs && strip -o .gpu/attngen .build-gpu/release/attngen   # (or gzip it to attngen.gz)
#   (cd .gpu/debs && apt-get download ocl-icd-libopencl1 libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2)
# Usage: ATTNGEN_GPU_KIT=.gpu bench/gpu-device-check.sh [results-folder]
# SECTIONS picks parts (default: all): devices auto correctness packages bench torch
set -uo pipefail
cd "$(dirname "$0")/.."
kit="${ATTNGEN_GPU_KIT:-.gpu}"
results="${1:-/tmp/attngen-gpu}"
mkdir -p "$results"
for deb in "$kit"/debs/*.deb; do dpkg -x "$deb" /; done
[ -d /usr/local/nvidia/lib64 ] && echo /usr/local/nvidia/lib64 >/etc/ld.so.conf.d/zz-nvidia.conf
ldconfig
mkdir -p /etc/OpenCL/vendors
[ -e /etc/OpenCL/vendors/nvidia.icd ] || echo libnvidia-opencl.so.1 >/etc/OpenCL/vendors/nvidia.icd
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -e "$icd" ] && export VK_DRIVER_FILES="$icd" __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -x "$kit/attngen" ] || gzip -dc "$kit/attngen.gz" >/tmp/attngen && chmod +x /tmp/attngen
attngen=$([ -x "$kit/attngen" ] && echo "$kit/attngen" || echo /tmp/attngen)

sections="${SECTIONS:-devices auto correctness packages bench torch}"
wants() { [[ " $sections " == *" $1 "* ]]; }

if wants devices; then
{ nvidia-smi -L; "$attngen" devices; } 2>&1 | tee "$results/devices.txt"
"$attngen" devices --explain --verbose 2>&1 | tee "$results/explain.txt"
fi

check() {  # spec backend
  local spec=$1 backend=$2 name
  name=$(basename "$spec" .json)
  "$attngen" run "$spec" --q "/tmp/in/$name/q.npy" --k "/tmp/in/$name/k.npy" --v "/tmp/in/$name/v.npy" \
    --out "/tmp/in/$name/o-$backend.npy" --force --backend "$backend" $3 2>&1 | sed "s|^|$name $backend: |"
}
verify_flag() {  # spec: --verify when the float64 check is cheap enough
  local flops
  flops=$("$attngen" simulate "$1" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["totalVisitedFlops"])')
  python3 -c "print('--verify' if $flops < 1.2e9 else '')"
}
for spec in Kernels/specs/*.json; do
  name=$(basename "$spec" .json)
  "$attngen" inputs "$spec" --out-dir "/tmp/in/$name" --force >/dev/null
done
if wants correctness; then
for spec in Kernels/specs/*.json; do
  verify=$(verify_flag "$spec")
  check "$spec" opencl:gpu "$verify"
  check "$spec" vulkan "$verify"
done 2>&1 | tee "$results/correctness.txt"
fi

# The default backend (auto) on every catalogue spec: which backend ran, and the check.
if wants auto; then
for spec in Kernels/specs/*.json; do
  check "$spec" auto "$(verify_flag "$spec")"
done 2>&1 | grep -E "auto: (backend|retried|verify|Error)" | tee "$results/auto.txt"
fi

# Kernel packages (what the build plugin bundles), made here and run on both APIs.
if wants packages; then
mkdir -p /tmp/packages
for spec in Kernels/specs/*.json; do
  name=$(basename "$spec" .json)
  "$attngen" package "$spec" --out "/tmp/packages/$name.attnkernels.json" --force >/dev/null
  check "$spec" opencl:gpu "$(verify_flag "$spec") --kernels /tmp/packages"
  check "$spec" vulkan "$(verify_flag "$spec") --kernels /tmp/packages"
done 2>&1 | grep -E "kernels:|verify:|Error" | tee "$results/packages.txt"
fi

if wants bench; then
# The 20-TFLOP video spec is left out: minutes per run at the generated kernels' current speed.
for spec in bench/specs/dense-4096.json bench/specs/causal-4096.json bench/specs/natten-1d-window-2048.json bench/specs/neighborhood-2d-128.json; do
  "$attngen" bench "$spec" --backend opencl --device gpu --runs 5 --warmup 2
  "$attngen" bench "$spec" --backend vulkan --runs 5 --warmup 2
done 2>&1 | tee "$results/bench.txt"
fi
if wants torch; then
python3 bench/torch_baseline.py bench/specs/dense-4096.json bench/specs/causal-4096.json Kernels/specs/flash-d64*.json Kernels/specs/flash-d128*.json \
  bench/specs/flash-b4-*.json bench/specs/decode-gqa-128k-f16.json 2>&1 | tee "$results/torch.txt"
fi
if wants bench; then
for spec in Kernels/specs/flash-d64*.json Kernels/specs/flash-d128*.json; do
  "$attngen" bench "$spec" --backend opencl --device gpu --runs 5 --warmup 2
  "$attngen" bench "$spec" --backend vulkan --runs 5 --warmup 2
done 2>&1 | tee -a "$results/bench.txt"
# FlashAttention's shapes and decode: Vulkan takes cooperative matrices (tensor cores) for float16
# where the device has them (the explain lines say which strategy ran), OpenCL runs SIMT.
for spec in bench/specs/flash-b4-*.json bench/specs/decode-gqa-128k-f16.json; do
  "$attngen" devices --explain --backend vulkan --spec "$spec" | grep -E "strategy|cooperative"
  "$attngen" bench "$spec" --backend vulkan --runs 5 --warmup 2
  "$attngen" bench "$spec" --backend opencl --device gpu --runs 5 --warmup 2
done 2>&1 | tee "$results/bench-tensor-cores.txt"
fi
