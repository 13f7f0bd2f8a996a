#!/usr/bin/env bash
# Publishes `actortrain` as a self-contained linux-x64 folder (no .NET needed on the target machine).
#
#   deploy/publish.sh [-o DIR] [--pytorch-libtorch] [--tar FILE.tar.gz]
#
# --pytorch-libtorch: for GPU machines. The registry here serves only the CPU build of libtorch; this drops the
#   bundled CPU libtorch (about 500 MB) and adds `actortrain-gpu`, a launcher that runs actortrain on the libtorch of
#   the CUDA PyTorch installed there (ACTORTRAIN_LIBTORCH=/path/to/torch/lib, else the torch of the python3 on PATH).
#   TorchSharp 0.107 is built against libtorch 2.10; PyTorch 2.11.0+cu130 was measured to work (README "GPU workers").
# --tar: also pack the folder into FILE.tar.gz.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/out/publish"
pytorch=0
tarball=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    --pytorch-libtorch) pytorch=1; shift ;;
    --tar) tarball="$2"; shift 2 ;;
    *) echo "publish.sh: unknown option $1 (use -o DIR, --pytorch-libtorch, --tar FILE.tar.gz)" >&2; exit 2 ;;
  esac
done

if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
  # Only ever replace an earlier publish: never empty a folder that holds something else.
  [ -f "$out/actortrain.dll" ] || { echo "publish.sh: $out is not empty and holds no earlier publish; choose an empty or new folder with -o." >&2; exit 2; }
  rm -rf "$out"
fi
dotnet publish "$here/src/Nodes/ActorTrain.Nodes.csproj" -c Release -r linux-x64 --self-contained -o "$out" -nologo -v q

if [ "$pytorch" = 1 ]; then
  # libtorch and its companions come from PyTorch's torch/lib; libLibTorchSharp.so (TorchSharp's own) stays.
  rm -f "$out"/libtorch*.so "$out"/libc10*.so "$out"/libgomp*.so* "$out"/libshm.so "$out"/libnnapi_backend.so \
        "$out"/libaoti_custom_ops.so "$out"/libbackend_with_compiler.so "$out"/libjitbackend_test.so
  cat > "$out/actortrain-gpu" <<'LAUNCHER'
#!/bin/sh
# Runs actortrain on the libtorch of a CUDA PyTorch (written by deploy/publish.sh --pytorch-libtorch).
here=$(dirname "$(readlink -f "$0")")
lib=${ACTORTRAIN_LIBTORCH:-$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null)}
if [ -z "$lib" ] || [ ! -f "$lib/libtorch_cpu.so" ]; then
  echo "actortrain-gpu: no libtorch found. Set ACTORTRAIN_LIBTORCH to the torch/lib folder of a CUDA PyTorch (it holds libtorch_cuda.so), or put the python3 that imports torch on PATH." >&2
  exit 2
fi
[ -f "$lib/libtorch_cuda.so" ] || echo "actortrain-gpu: warning: $lib has no libtorch_cuda.so (a CPU-only PyTorch): workers can use --device cpu only." >&2
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$here/actortrain" "$@"
LAUNCHER
  chmod +x "$out/actortrain-gpu"
fi

if [ -n "$tarball" ]; then
  tar czf "$tarball" -C "$(dirname "$out")" "$(basename "$out")"
  echo "packed $tarball ($(du -h "$tarball" | cut -f1))"
fi
echo "published $out ($(du -sh "$out" | cut -f1)); run $out/$([ "$pytorch" = 1 ] && echo actortrain-gpu || echo actortrain)"
