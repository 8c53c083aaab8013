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
		return "", nil, fmt.Errorf("-cohort-postgres %q: want a postgres:// URL", server)
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
