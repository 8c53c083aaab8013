package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
)

// freshDatabase returns the URL of a new, empty database named for
// prefix and the time on the PostgreSQL server at server, and a function
// that drops it and the _visibility database the Temporal server makes
// beside it.
func freshDatabase(ctx context.Context, server, prefix string) (string, func(), error) {
	u, err := url.Parse(server)
	if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", nil, fmt.Errorf("-postgres %q: want a postgres:// URL", server)
	}
	name := fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	exec := func(sql string) error {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE DATABASE " + name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() {
		for _, db := range []string{name, name + "_visibility"} {
			if err := exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"); err != nil {
				progress("could not drop database %s: %v", db, err)
			}
		}
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// The Temporal servers the cohort and capacity parts run on.
const (
	engineSQLite   = "embedded, SQLite, 1 shard"
	enginePostgres = "embedded, PostgreSQL, 4 shards"
)

// engines are the Temporal servers a part runs on: the embedded one on
// SQLite, then, when the bench has a PostgreSQL server, on PostgreSQL.
func engines(cfg config) []string {
	if cfg.Postgres == "" {
		return []string{engineSQLite}
	}
	return []string{engineSQLite, enginePostgres}
}

// engineEnv is the environment of a `mianshi dev` on engine: for
// PostgreSQL, a fresh database named for prefix, which drop removes.
func engineEnv(ctx context.Context, cfg config, engine, prefix string) (env []string, drop func(), err error) {
	if engine != enginePostgres {
		return nil, func() {}, nil
	}
	db, drop, err := freshDatabase(ctx, cfg.Postgres, prefix)
	if err != nil {
		return nil, nil, err
	}
	return []string{"MIANSHI_TEMPORAL_DB=" + db, "MIANSHI_TEMPORAL_SHARDS=4"}, drop, nil
}
