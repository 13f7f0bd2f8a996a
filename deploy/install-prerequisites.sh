#!/usr/bin/env bash
# Installs what a fresh Debian 12 (or Ubuntu) machine lacks to run and test ActorTrain, beyond the .NET 10 SDK:
#   dataset-fashion-mnist  Fashion-MNIST IDX files in /usr/share/datasets/fashion-mnist
#   fortunes               English short texts in /usr/share/games/fortunes (word-model experiments)
# Idempotent: packages already installed are left alone and apt is not touched.
set -euo pipefail

packages=(dataset-fashion-mnist fortunes)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "prerequisites: all installed (${packages[*]})"; exit 0; }

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
echo "prerequisites: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
