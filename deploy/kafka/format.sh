#!/usr/bin/env bash
# One-shot, before the broker starts: formats the broker's KRaft storage with the SCRAM-SHA-512
# credential of the `admin` principal (the broker's own principal and the only super user on the
# client listener). A KRaft broker keeps SCRAM credentials in its metadata log, so the first one
# must be written at format time; the others are added by setup.sh through the admin.
# On an already formatted volume nothing changes (--ignore-formatted): the admin password is then
# rotated with kafka-configs, see deploy/KAFKA.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/client.sh"
: "${CLUSTER_ID:?set CLUSTER_ID, the same as the broker}"
check_password KAFKA_ADMIN_PASSWORD "${ADMIN_PASSWORD:-}"
# The external listener's keystore (deploy/kafka/dev-certs.sh): without it the broker would fail
# later with a Java stack trace.
if [[ -n "${KEYSTORE:-}" && ! -s "$KEYSTORE" ]]; then
  echo "$KEYSTORE is missing: run deploy/kafka/dev-certs.sh first (deploy/KAFKA.md)" >&2
  exit 1
fi
node_id="${NODE_ID:-1}"
data_dir="${DATA_DIR:-/var/lib/kafka/data}"

umask 077
config="$(mktemp)"
trap 'rm -f "$config"' EXIT
# Only what formatting reads: identity, roles, quorum and the log directory (as the broker has
# them in docker-compose.yml). The broker's EXTERNAL listener plays no part in formatting, so it
# and its TLS settings are left out.
cat > "$config" <<PROPERTIES
process.roles=broker,controller
node.id=${node_id}
controller.quorum.voters=${node_id}@127.0.0.1:9093
controller.listener.names=CONTROLLER
listeners=CLIENT://:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=CLIENT://kafka:9092
listener.security.protocol.map=CONTROLLER:PLAINTEXT,CLIENT:SASL_PLAINTEXT
inter.broker.listener.name=CLIENT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
log.dirs=${data_dir}
PROPERTIES

/opt/kafka/bin/kafka-storage.sh format --config "$config" --cluster-id "$CLUSTER_ID" \
  --ignore-formatted --add-scram "SCRAM-SHA-512=[name=admin,password=${ADMIN_PASSWORD}]"
