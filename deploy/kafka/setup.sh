#!/usr/bin/env bash
# One-shot, once the broker is healthy: SCRAM-SHA-512 users of the four services, the hospital
# gateway and the outside subscriber (passwords from the environment), then the topics and ACLs
# of acls.sh.
# Safe to run again: setting a password replaces it, topics are created if missing, an ACL that
# exists is not added twice. Rerunning it after a password change is how passwords are rotated.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/client.sh"
bootstrap="${BOOTSTRAP:-kafka:9092}"
bin="${KAFKA_HOME:-/opt/kafka}/bin"

# Every principal but the admin; deploy/kafka_acls.py lists the same ones (a test checks).
USERS=(enrollment medical employment welfare hospital subscriber)

check_password KAFKA_ADMIN_PASSWORD "${ADMIN_PASSWORD:-}"
for user in "${USERS[@]}"; do
  var="${user^^}_PASSWORD"
  check_password "KAFKA_$var" "${!var:-}"
done

umask 077
config="$(mktemp)"
trap 'rm -f "$config"' EXIT
client_properties admin "$ADMIN_PASSWORD" > "$config"

for user in "${USERS[@]}"; do
  var="${user^^}_PASSWORD"
  "$bin/kafka-configs.sh" --bootstrap-server "$bootstrap" --command-config "$config" \
    --alter --entity-type users --entity-name "$user" \
    --add-config "SCRAM-SHA-512=[iterations=8192,password=${!var}]"
done

bash "$here/acls.sh" "$bootstrap" "$config"
