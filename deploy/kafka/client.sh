#!/usr/bin/env bash
# Sourced by the other scripts: client properties of a SCRAM-SHA-512 principal, and the check
# that a password can be written into them (and into `--add-config`/`--add-scram`) unquoted.

client_properties() {
  local user="$1" password="$2"
  printf 'security.protocol=SASL_PLAINTEXT\n'
  printf 'sasl.mechanism=SCRAM-SHA-512\n'
  printf 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";\n' \
    "$user" "$password"
}

check_password() {
  local name="$1" password="${2:-}"
  if [[ -z "$password" ]]; then
    echo "$name is not set" >&2
    return 1
  fi
  # Letters, digits and . _ ~ - only (e.g. `openssl rand -hex 32`), at least 16 of them.
  if [[ ! "$password" =~ ^[A-Za-z0-9._~-]{16,}$ ]]; then
    echo "$name must be at least 16 characters of A-Z a-z 0-9 . _ ~ -" >&2
    return 1
  fi
}
