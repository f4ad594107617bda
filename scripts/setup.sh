#!/usr/bin/env bash
# Installs the system packages AttentionGen needs (OpenCL ICD loader + PoCL, Vulkan loader +
# Mesa lavapipe, Vulkan's validation layers, glslang, SPIRV-Tools). Idempotent: packages already
# present are skipped.
set -euo pipefail
packages=(ocl-icd-opencl-dev opencl-headers pocl-opencl-icd libvulkan-dev mesa-vulkan-drivers
          vulkan-validationlayers glslang-dev glslang-tools spirv-tools)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all system packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
