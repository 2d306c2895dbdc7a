#!/usr/bin/env bash
# The broker's healthcheck: answers API versions to the admin over the SASL client listener.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/client.sh"
umask 077
config=/tmp/healthcheck.properties
client_properties admin "${ADMIN_PASSWORD:?}" > "$config"
exec /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 \
  --command-config "$config" > /dev/null 2>&1
