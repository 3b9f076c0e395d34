#!/usr/bin/env bash
# Creates (idempotently) the Python environment of the `eaft` package's PyTorch side: a venv OUTSIDE
# the repository, at $EAFT_TORCH_VENV or ${EAFT_CACHE:-~/.cache/eaft}/venv-torch, with CPU torch,
# transformers, accelerate, safetensors, numpy, zstandard, pytest, trl and datasets. Prints the venv's python on stdout
# (progress goes to stderr):   PY=$(bash scripts/setup_torch.sh)
#
# torch: PyPI's Linux torch wheels are CUDA builds that do not import without the nvidia-* packages
# (checked: torch 2.13.0 with --no-deps fails with "libcublasLt.so.* not found"), so
#   1. a CPU wheel in a pip find-links folder ($PIP_FIND_LINKS, /opt/wheels) is used when present
#      (torch-2.13.0+cpu, 190 MB: ~1.5 min for the whole venv here);
#   2. otherwise PyPI's torch==2.13.0 with its CUDA packages (several GB; runs on the CPU).
# EAFT_TORCH_SPEC overrides the torch requirement (e.g. a wheel path).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${EAFT_CACHE:-${HOME:-/tmp}/.cache/eaft}
VENV=${EAFT_TORCH_VENV:-$CACHE/venv-torch}
PYTHON=${PYTHON:-python3}
PKGS=(transformers==5.25.0 accelerate==1.16.0 safetensors==0.8.0 numpy==2.4.6 zstandard pytest trl==1.16.0 datasets==5.2.0)
TORCH_VERSION=2.13.0

torch_spec() {
  if [ -n "${EAFT_TORCH_SPEC:-}" ]; then echo "$EAFT_TORCH_SPEC"; return; fi
  local d
  for d in ${PIP_FIND_LINKS:-} /opt/wheels; do
    [ -d "$d" ] || continue
    for w in "$d"/torch-"$TORCH_VERSION"+cpu-*.whl; do
      [ -f "$w" ] && { echo "$w"; return; }
    done
  done
  echo "torch==$TORCH_VERSION"
}

SPEC=$(torch_spec)
STAMP="$VENV/.eaft-setup"
WANT="$SPEC ${PKGS[*]}"
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
   && "$VENV/bin/python" -c "import torch, transformers, safetensors, zstandard, pytest" 2>/dev/null; then
  echo "$VENV/bin/python"
  exit 0
fi
start=$(date +%s)
echo "setup_torch: creating $VENV (torch: $SPEC)" >&2
mkdir -p "$(dirname "$VENV")"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$SPEC" "${PKGS[@]}" >&2
"$VENV/bin/python" -c "import torch; x = torch.ones(2, requires_grad=True); (x * x).sum().backward(); print('setup_torch: torch', torch.__version__, file=__import__('sys').stderr)"
echo "$WANT" > "$STAMP"
echo "setup_torch: done in $(( $(date +%s) - start )) s" >&2
echo "$VENV/bin/python"
