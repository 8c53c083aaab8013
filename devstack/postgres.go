package devstack

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// The embedded schemas (go.temporal.io/server/schema) a PostgreSQL cluster
// is set up and upgraded with, as `temporal-sql-tool --schema-name` names
// them.
const (
	postgresSchema           = "postgresql/v12/temporal"
	postgresVisibilitySchema = "postgresql/v12/visibility"
	// adminDatabase is where CREATE DATABASE runs, as temporal-sql-tool's
	// --defaultdb.
	adminDatabase = "postgres"
)

// postgresStores are the two databases of a Temporal cluster on
// PostgreSQL: its persistence and its SQL visibility (which serves custom
// search attributes without Elasticsearch).
type postgresStores struct {
	main, visibility *config.SQL
}

// parsePostgres turns a postgres:// URL into the server's SQL settings.
// The visibility database is the main one's name with "_visibility" added,
// as in Temporal's own configurations (temporal, temporal_visibility).
// Query parameters (sslmode, sslrootcert, …) are passed to the driver.
func parsePostgres(raw string) (postgresStores, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return postgresStores{}, errors.New("the Temporal database is not a valid URL") // the URL may hold a password
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return postgresStores{}, fmt.Errorf("the Temporal database URL must start with postgres://, not %s://", u.Scheme)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || strings.Contains(name, "/") {
		return postgresStores{}, errors.New("the Temporal database URL names no database: want postgres://user:password@host:5432/temporal")
	}
	host := u.Hostname()
	if host == "" {
		return postgresStores{}, errors.New("the Temporal database URL names no host")
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	attrs := map[string]string{}
	for k, v := range u.Query() {
		attrs[k] = v[len(v)-1]
	}
	password, _ := u.User.Password()
	store := func(db string, conns int) *config.SQL {
		return &config.SQL{
			PluginName:        postgresql.PluginName,
			DatabaseName:      db,
			ConnectAddr:       net.JoinHostPort(host, port),
			ConnectProtocol:   "tcp",
			User:              u.User.Username(),
			Password:          password,
			ConnectAttributes: attrs,
			MaxConns:          conns,
			MaxIdleConns:      conns,
		}
	}
	return postgresStores{main: store(name, 20), visibility: store(name+"_visibility", 10)}, nil
}

// setupPostgres creates the two databases if they are missing and sets up
// or upgrades their schemas to the ones this server version ships, with
// Temporal's own schema tool: what `temporal-sql-tool create`,
// `setup-schema -v 0.0` and `update-schema --schema-name …` run. Each step
// is idempotent, so it runs at every start.
func setupPostgres(stores postgresStores, logger log.Logger) error {
	for _, s := range []struct {
		conf   *config.SQL
		schema string
	}{{stores.main, postgresSchema}, {stores.visibility, postgresVisibilitySchema}} {
		if err := createDatabase(s.conf, logger); err != nil {
			return err
		}
		if err := upgradeSchema(s.conf, s.schema, logger); err != nil {
			return err
		}
	}
	return nil
}

// createDatabase creates conf's database unless it exists. A role that may
// not create databases can still use ones made for it.
func createDatabase(conf *config.SQL, logger log.Logger) error {
	admin := *conf
	err := sqltool.DoCreateDatabase(&admin, adminDatabase, logger)
	if err == nil {
		return nil
	}
	conn, connErr := sqltool.NewConnection(conf, logger)
	if connErr == nil {
		defer conn.Close()
		if _, connErr = conn.ListTables(); connErr == nil {
			return nil // it exists; we may just not create databases
		}
	}
	return fmt.Errorf("create database %s on %s: %w", conf.DatabaseName, conf.ConnectAddr, err)
}

// upgradeSchema brings conf's database to the newest version of the named
// embedded schema.
func upgradeSchema(conf *config.SQL, name string, logger log.Logger) error {
	conn, err := sqltool.NewConnection(conf, logger)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", conf.DatabaseName, err)
	}
	defer conn.Close()
	setup := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger)
	if err := setup.Run(); err != nil {
		return fmt.Errorf("set up schema versioning in %s: %w", conf.DatabaseName, err)
	}
	update := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: conf.DatabaseName, SchemaName: name}, logger)
	if err := update.Run(); err != nil {
		return fmt.Errorf("upgrade schema %s in %s: %w", name, conf.DatabaseName, err)
	}
	return nil
}

// postgresVersions reports the schema versions of both databases, for
// tests and for the line `mianshi temporal serve` prints.
func postgresVersions(stores postgresStores, logger log.Logger) (main, visibility string, err error) {
	read := func(conf *config.SQL) (string, error) {
		conn, err := sqltool.NewConnection(conf, logger)
		if err != nil {
			return "", err
		}
		defer conn.Close()
		return conn.ReadSchemaVersion()
	}
	if main, err = read(stores.main); err != nil {
		return "", "", err
	}
	visibility, err = read(stores.visibility)
	return main, visibility, err
}

// SchemaVersions are the schema versions of a PostgreSQL cluster's two
// databases after SetupPostgres.
type SchemaVersions struct {
	Main, Visibility string
}

// SetupPostgres creates the databases of a Temporal cluster on PostgreSQL
// (database is a postgres:// URL; visibility goes to its name plus
// "_visibility") and sets up or upgrades their schemas with Temporal's own
// schema tool, as StartTemporal does at every start. It is idempotent; it
// serves a Temporal server that runs elsewhere (the official image, which
// leaves the schema to its admin tools).
func SetupPostgres(database string, logger *slog.Logger) (SchemaVersions, error) {
	stores, err := parsePostgres(database)
	if err != nil {
		return SchemaVersions{}, err
	}
	l := newServerLogger(logger, slog.LevelWarn)
	if err := setupPostgres(stores, l); err != nil {
		return SchemaVersions{}, err
	}
	main, vis, err := postgresVersions(stores, l)
	return SchemaVersions{Main: main, Visibility: vis}, err
}
