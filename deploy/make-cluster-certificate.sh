#!/usr/bin/env bash
# Makes the credentials of one ActorTrain cluster: a self-signed certificate with its private key (PKCS#12), the
# file's password, and a cluster secret. Copy all three to every machine of the cluster (over SSH, not e-mail) and
# start every node with them (deploy/README.md, "Secure cluster"):
#
#   actortrain node ... --tls-certificate DIR/cluster.pfx --tls-password-file DIR/cluster.pfx.password \
#                       --cluster-secret-file DIR/cluster.secret
#
#   deploy/make-cluster-certificate.sh [--out DIR] [--days N] [--name NAME]
#
# DIR defaults to ./cluster-credentials; N (validity in days) to 825; NAME (the certificate's common name, for
# logs only: nodes are recognised by the whole certificate, not by name) to actortrain-cluster. Needs openssl
# (Debian: apt-get install openssl). Refuses to overwrite existing credentials.
set -euo pipefail

out="cluster-credentials"
days=825
name="actortrain-cluster"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --name) name="$2"; shift 2 ;;
    *) echo "make-cluster-certificate.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

command -v openssl >/dev/null || { echo "make-cluster-certificate.sh: openssl not found (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$out"
if [ -e "$out/cluster.pfx" ] || [ -e "$out/cluster.secret" ]; then
  echo "make-cluster-certificate.sh: $out already holds credentials; remove them or choose another --out" >&2
  exit 1
fi
umask 077
key=$(mktemp "$out/key.XXXXXX")
trap 'rm -f "$key" "$out/cluster.crt.tmp"' EXIT

# ECDSA P-256: small, fast handshakes; .NET and OpenSSL both support it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days "$days" \
  -subj "/CN=$name" -keyout "$key" -out "$out/cluster.crt.tmp" 2>/dev/null
openssl rand -base64 32 > "$out/cluster.pfx.password"
openssl pkcs12 -export -inkey "$key" -in "$out/cluster.crt.tmp" -name "$name" \
  -passout "file:$out/cluster.pfx.password" -out "$out/cluster.pfx"
mv "$out/cluster.crt.tmp" "$out/cluster.crt"
chmod 644 "$out/cluster.crt"
openssl rand -base64 32 > "$out/cluster.secret"

echo "wrote $out/cluster.pfx (certificate + key), $out/cluster.pfx.password, $out/cluster.secret, $out/cluster.crt (public part)"
openssl x509 -in "$out/cluster.crt" -noout -subject -enddate -fingerprint -sha256
