#!/usr/bin/env bash
# Installs what a fresh Debian 12 (or Ubuntu) machine lacks to run and test ActorTrain, beyond the .NET 10 SDK:
#   dataset-fashion-mnist  Fashion-MNIST IDX files in /usr/share/datasets/fashion-mnist
#   fortunes               English short texts in /usr/share/games/fortunes (word-model experiments)
#   postgresql             a local server for the parameter-server journal tests: started on 127.0.0.1:5432 with
#                          role and database "actortrain" (password "actortrain"; for tests only). The role may
#                          create databases: the outage test makes a database of its own and closes it mid-run.
#   openssl                deploy/make-cluster-certificate.sh (TLS for multi-machine clusters, and its tests)
# Idempotent: what is installed, running or created already is left alone.
set -euo pipefail

packages=(dataset-fashion-mnist fortunes postgresql openssl)
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "prerequisites: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "prerequisites: all installed (${packages[*]})"
fi

as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi; }
read -r version name _ < <(pg_lsclusters -h | head -n 1)
if ! pg_lsclusters -h | head -n 1 | grep -q online; then
  "${sudo[@]}" pg_ctlcluster "$version" "$name" start
fi
as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='actortrain'\"" | grep -q 1 ||
  as_postgres "psql -q -c \"CREATE ROLE actortrain LOGIN PASSWORD 'actortrain'\""
as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='actortrain' AND rolcreatedb\"" | grep -q 1 ||
  as_postgres "psql -q -c \"ALTER ROLE actortrain CREATEDB\""
as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='actortrain'\"" | grep -q 1 ||
  as_postgres "createdb -O actortrain actortrain"
echo "prerequisites: PostgreSQL $version/$name online on 127.0.0.1:5432 (database actortrain)"
