#!/usr/bin/env bash
# Development TLS material for the broker's EXTERNAL listener (SASL_SSL on port 9094):
#   deploy/kafka-certs/ca.pem, ca.key           a development CA; ca.pem is what clients trust
#   deploy/kafka-certs/broker/broker.pem        the broker's certificate, signed by that CA, for
#                                               localhost, kafka, 127.0.0.1 (and KAFKA_EXTERNAL_HOST)
#   deploy/kafka-certs/broker/keystore.pem      the broker's PEM keystore: its private key
#                                               (PKCS#8, encrypted with KAFKA_SSL_KEY_PASSWORD),
#                                               its certificate and the CA's
#   deploy/kafka-certs/broker/truststore.pem    the CA, for a Java client (ssl.truststore.type=PEM)
# Only broker/ is mounted into the broker; the CA's key never leaves this machine.
# The directory is git-ignored. Production replaces all of it with a certificate from the
# county's own CA (deploy/KAFKA.md); nothing here is for a broker others rely on.
#
# Usage: deploy/kafka/dev-certs.sh        (KAFKA_SSL_KEY_PASSWORD from the environment or .env)
# Rerunning keeps the CA (clients keep trusting it) and issues a new broker certificate;
# remove deploy/kafka-certs/ to start over with a new CA.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
. "$here/client.sh"
command -v openssl > /dev/null || { echo "openssl is needed (apt-get install openssl)" >&2; exit 1; }

out="${CERTS_DIR:-$repo/deploy/kafka-certs}"
days="${CERT_DAYS:-825}"
external_host="${KAFKA_EXTERNAL_HOST:-localhost}"
if [[ -z "${KAFKA_SSL_KEY_PASSWORD:-}" && -f "$repo/.env" ]]; then
  KAFKA_SSL_KEY_PASSWORD="$(sed -n 's/^KAFKA_SSL_KEY_PASSWORD=//p' "$repo/.env" | tail -n 1)"
fi
check_password KAFKA_SSL_KEY_PASSWORD "${KAFKA_SSL_KEY_PASSWORD:-}"
# Handed to openssl through the environment, so it never shows in a process list.
export KAFKA_SSL_KEY_PASSWORD

mkdir -p "$out/broker"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [[ ! -f "$out/ca.pem" || ! -f "$out/ca.key" ]]; then
  (umask 077 && openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 3650 \
    -subj "/O=poverty-security development/CN=poverty-security development CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$out/ca.key" -out "$out/ca.pem" 2> /dev/null)
  chmod 600 "$out/ca.key"
  chmod 644 "$out/ca.pem"
  echo "new development CA: $out/ca.pem"
fi

sans="DNS:localhost,DNS:kafka,IP:127.0.0.1"
if [[ "$external_host" =~ ^[0-9.]+$ ]]; then
  [[ "$external_host" == 127.0.0.1 ]] || sans="$sans,IP:$external_host"
elif [[ "$external_host" != localhost && "$external_host" != kafka ]]; then
  sans="$sans,DNS:$external_host"
fi
cat > "$work/broker.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$sans
EXT

(umask 077 && openssl req -new -newkey rsa:3072 -nodes -sha256 \
  -subj "/O=poverty-security development/CN=kafka" \
  -keyout "$work/broker.key" -out "$work/broker.csr" 2> /dev/null)
openssl x509 -req -sha256 -days "$days" -in "$work/broker.csr" \
  -CA "$out/ca.pem" -CAkey "$out/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
  -extfile "$work/broker.ext" -out "$out/broker/broker.pem" 2> /dev/null
# Kafka reads a PEM keystore file only with an encrypted PKCS#8 key and ssl.key.password.
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in "$work/broker.key" \
  -passout env:KAFKA_SSL_KEY_PASSWORD -out "$work/broker.key.enc"
cat "$work/broker.key.enc" "$out/broker/broker.pem" "$out/ca.pem" > "$out/broker/keystore.pem"
cp "$out/ca.pem" "$out/broker/truststore.pem"
# Readable by the broker's user in the container (another uid); the key in it is encrypted.
chmod 644 "$out/broker/keystore.pem" "$out/broker/broker.pem" "$out/broker/truststore.pem"

openssl verify -CAfile "$out/ca.pem" "$out/broker/broker.pem"
echo "broker certificate for $sans, valid $days days: $out/broker/"
echo "clients trust $out/ca.pem"
