#!/usr/bin/env bash
# A PostgreSQL cluster of its own, named $1 (created with Debian's pg_createcluster if missing,
# on the next free port), started, with the role `fixer` (password `fixer`, may create
# databases). Idempotent. Prints the server URL. For tests that restart PostgreSQL: they
# restart this cluster, never the one other tests are using at the same time.
set -euo pipefail
name="${1:?usage: postgres-cluster-up.sh NAME}"

bash "$(dirname "$0")/postgres-up.sh" >/dev/null  # the server packages, and the main cluster
read -r version _ < <(pg_lsclusters --no-header | awk '$3 == 5432' | head -1)
if ! pg_lsclusters --no-header | awk -v n="$name" '$2 == n' | grep -q .; then
  echo "postgres-cluster-up: creating cluster $version/$name" >&2
  pg_createcluster "$version" "$name" >/dev/null
fi
port=$(pg_lsclusters --no-header | awk -v n="$name" '$2 == n {print $3}')
if ! pg_lsclusters --no-header | awk -v n="$name" '$2 == n {print $4}' | grep -q online; then
  # stdout too goes to stderr: pg_ctlcluster may say "Removed stale pid file", and this
  # script's stdout is the server URL alone.
  pg_ctlcluster "$version" "$name" start >&2
fi
for _ in $(seq 1 30); do
  if su postgres -c "psql -p $port -qAtc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done
su postgres -c "psql -p $port -qAt" <<'SQL' >&2
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fixer') THEN
    CREATE ROLE fixer LOGIN PASSWORD 'fixer' CREATEDB;
  END IF;
END $$;
SQL
echo "postgresql://fixer:fixer@127.0.0.1:$port/postgres"
