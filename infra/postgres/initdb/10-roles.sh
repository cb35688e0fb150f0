#!/bin/sh
# Least privilege, made on the database's first start (the image runs this
# once, when it initialises an empty volume; infra/postgres/README.md has the
# same for an existing one):
#   board_migrator  owns the schema; migrations run as it (the migrate service)
#   board_api       may read, insert and delete what migrations create, nothing
#                   else: no DDL, no UPDATE, no TRUNCATE, no other database
# Their passwords are the db_migrator_password and db_api_password secrets.
set -eu

migrator_password=$(cat /run/secrets/db_migrator_password)
api_password=$(cat /run/secrets/db_api_password)

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v migrator_password="$migrator_password" -v api_password="$api_password" \
  -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE board_migrator LOGIN PASSWORD :'migrator_password';
CREATE ROLE board_api LOGIN PASSWORD :'api_password';

-- Only these two (and the superuser) reach this database, and no other.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO board_migrator, board_api;
REVOKE CONNECT ON DATABASE postgres, template1 FROM PUBLIC;

-- The migrator owns the schema and makes the migrations' own (drizzle).
GRANT CREATE ON DATABASE :"db" TO board_migrator;
ALTER SCHEMA public OWNER TO board_migrator;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO board_api;

-- Whatever the migrator creates, the api may read, insert and delete.
ALTER DEFAULT PRIVILEGES FOR ROLE board_migrator IN SCHEMA public
  GRANT SELECT, INSERT, DELETE ON TABLES TO board_api;
ALTER DEFAULT PRIVILEGES FOR ROLE board_migrator IN SCHEMA public
  GRANT USAGE ON SEQUENCES TO board_api;
SQL
