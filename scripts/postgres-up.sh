#!/usr/bin/env bash
# A local PostgreSQL for the multi-worker tests: install Debian's server if missing, start
# the cluster, and make sure the role `fixer` (password `fixer`, may create databases)
# exists. Idempotent. Prints the server URL tests derive their databases from.
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "postgres-up: installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
fi

# The cluster on 5432 (Debian's `main`), not a test's own cluster (postgres-cluster-up.sh).
read -r version cluster _ < <(pg_lsclusters --no-header | awk '$3 == 5432' | head -1)
if [ -z "${cluster:-}" ]; then read -r version cluster _ < <(pg_lsclusters --no-header | head -1); fi
if ! pg_lsclusters --no-header | awk -v n="$cluster" '$2 == n {print $4}' | grep -q online; then
  echo "postgres-up: starting cluster $version/$cluster" >&2
  pg_ctlcluster "$version" "$cluster" start
fi

for _ in $(seq 1 30); do
  if su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done

su postgres -c "psql -qAt" <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fixer') THEN
    CREATE ROLE fixer LOGIN PASSWORD 'fixer' CREATEDB;
  END IF;
END $$;
SQL
echo "postgresql://fixer:fixer@127.0.0.1:5432/postgres"
