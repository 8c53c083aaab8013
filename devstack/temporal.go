//go:build !nodev

package devstack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/metrics"
	"go.temporal.io/server/common/persistence"
	"go.temporal.io/server/common/persistence/serialization"
	sqlpersistence "go.temporal.io/server/common/persistence/sql"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/common/resolver"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

const (
	clusterName     = "active"
	storeName       = "default"
	visibilityStore = "visibility"
	startTimeout    = time.Minute
)

// TemporalOptions configures the embedded server.
type TemporalOptions struct {
	DataDir          string                            // the SQLite file is DataDir/temporal.db; created with its schema on first start, reused after
	Database         string                            // postgres:// URL of the server's own database instead of SQLite; it and <name>_visibility are created and their schemas set up or upgraded at every start
	Shards           int                               // history shards of a new cluster (0: 1 on SQLite, 4 on PostgreSQL); an existing cluster keeps its own, and another count is an error
	IP               string                            // default "127.0.0.1"
	Port             int                               // frontend gRPC port; 0 picks a free one
	UIPort           int                               // Web UI port; 0 picks a free one; negative disables the UI
	Namespace        string                            // default "default"; created if missing (idempotent on restart)
	SearchAttributes map[string]enums.IndexedValueType // custom search attributes registered on the namespace (go.temporal.io/api/enums/v1)
	UICodecEndpoint  string                            // optional codec server URL the UI should use (with the browser's cookies)
	Logger           *slog.Logger                      // server logs go here; default level Warn so the console stays readable
}

// Temporal is a running embedded Temporal dev server, with its Web UI unless
// disabled.
type Temporal struct {
	server    temporal.Server
	ui        *uiserver.Server
	uiDone    chan struct{}
	logger    serverLogger
	address   string
	uiAddress string
	namespace string
	// shards and persistence describe the cluster, for Shards and
	// Persistence.
	shards      int
	persistence string
	stopOnce    sync.Once
}

// StartTemporal starts a Temporal server persisted in opts.DataDir and
// returns once its frontend answers gRPC health checks, the namespace and its
// search attributes exist, and the Web UI (if enabled) serves HTTP.
//
// Only server log records at Warn level and above reach opts.Logger
// (slog.Default() when nil), and only those its handler enables.
func StartTemporal(opts TemporalOptions) (*Temporal, error) {
	if opts.DataDir == "" && opts.Database == "" {
		return nil, errors.New("devstack: TemporalOptions needs a DataDir or a Database")
	}
	ip := cmp.Or(opts.IP, "127.0.0.1")
	if ip == "localhost" { // the server needs an IP, not a name
		ip = "127.0.0.1"
	}
	parsed := net.ParseIP(ip)
	if parsed == nil {
		return nil, fmt.Errorf("devstack: IP %q is not an IP address", ip)
	}
	// host is where clients and the services reach each other.
	host := ip
	if parsed.IsUnspecified() {
		host = "127.0.0.1"
	}
	t := &Temporal{
		logger:    newServerLogger(opts.Logger, slog.LevelWarn),
		namespace: cmp.Or(opts.Namespace, "default"),
	}

	port, err := pickPort(ip, opts.Port)
	if err != nil {
		return nil, fmt.Errorf("devstack: frontend port: %w", err)
	}
	t.address = net.JoinHostPort(host, strconv.Itoa(port))
	uiPort := -1
	if opts.UIPort >= 0 {
		// The UI server exits the process when it cannot bind, so the port is
		// checked here, before anything starts.
		if uiPort, err = pickPort(ip, opts.UIPort); err != nil {
			return nil, fmt.Errorf("devstack: UI port: %w", err)
		}
		t.uiAddress = "http://" + net.JoinHostPort(host, strconv.Itoa(uiPort))
	}

	stores, err := t.openStores(opts)
	if err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	conf, err := serverConfig(ip, host, port, stores)
	if err != nil {
		return nil, fmt.Errorf("devstack: %w", err)
	}
	hosts := make(map[primitives.ServiceName]static.Hosts, len(conf.Services))
	for name, svc := range conf.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	claimMapper := authorization.NewNoopClaimMapper()
	t.server, err = temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(t.logger),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("devstack: creating server: %w", err)
	}
	if err := t.server.Start(); err != nil {
		_ = t.server.Stop()
		return nil, fmt.Errorf("devstack: starting server: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	err = t.awaitFrontend(ctx, opts.SearchAttributes)
	if err == nil && uiPort >= 0 {
		err = t.startUI(ctx, ip, uiPort, opts.UICodecEndpoint)
	}
	if err != nil {
		t.Stop()
		return nil, fmt.Errorf("devstack: %w", err)
	}
	return t, nil
}

// Address returns the host:port of the frontend gRPC service.
func (t *Temporal) Address() string { return t.address }

// UIAddress returns the http://host:port base URL of the Web UI, or "" when
// the UI is disabled.
func (t *Temporal) UIAddress() string { return t.uiAddress }

// Namespace returns the namespace created at start.
func (t *Temporal) Namespace() string { return t.namespace }

// Shards returns the cluster's number of history shards.
func (t *Temporal) Shards() int { return t.shards }

// Persistence says where the server keeps its data: the SQLite file, or
// the PostgreSQL host and databases (never the password).
func (t *Temporal) Persistence() string { return t.persistence }

// Stop shuts down the Web UI and the server and closes its databases.
// Calls after the first do nothing.
func (t *Temporal) Stop() {
	t.stopOnce.Do(func() {
		t.logger.raise(slog.LevelError) // services warn routinely while stopping
		if t.ui != nil {
			t.ui.Stop()
			select {
			case <-t.uiDone:
			case <-time.After(5 * time.Second):
			}
		}
		_ = t.server.Stop()
	})
}

// stores is where a server keeps its data and how many history shards
// the cluster has.
type stores struct {
	main, visibility *config.SQL
	shards           int32
}

// openStores prepares the server's databases: the SQLite file with its
// schema, or the PostgreSQL databases with theirs set up or upgraded; then
// the namespace with its search attributes if it is not there yet, and the
// shard count, checked against the one the cluster was created with.
func (t *Temporal) openStores(opts TemporalOptions) (stores, error) {
	var s stores
	if opts.Database == "" {
		conf, err := openSQLite(opts.DataDir)
		if err != nil {
			return s, err
		}
		s = stores{main: conf, visibility: conf, shards: 1}
		t.persistence = "SQLite " + conf.DatabaseName
	} else {
		pg, err := parsePostgres(opts.Database)
		if err != nil {
			return s, err
		}
		if err := setupPostgres(pg, t.logger); err != nil {
			return s, err
		}
		s = stores{main: pg.main, visibility: pg.visibility, shards: 4}
		t.persistence = fmt.Sprintf("PostgreSQL %s/%s (visibility %s)", pg.main.ConnectAddr, pg.main.DatabaseName, pg.visibility.DatabaseName)
	}
	if opts.Shards < 0 {
		return s, fmt.Errorf("history shards %d: must be 1 or more", opts.Shards)
	}
	have, err := clusterShards(s.main, t.logger)
	switch {
	case err != nil:
		return s, err
	case have > 0 && opts.Shards > 0 && have != int32(opts.Shards):
		return s, fmt.Errorf("the Temporal cluster in %s was created with %d history shards, not %d: "+
			"the count is fixed when a cluster is created; ask for %d (or leave the count unset), or use a new database",
			t.persistence, have, opts.Shards, have)
	case have > 0:
		s.shards = have
	case opts.Shards > 0:
		s.shards = int32(opts.Shards)
	}
	t.shards = int(s.shards)
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, t.namespace, false, opts.SearchAttributes)
	if err != nil {
		return s, fmt.Errorf("namespace %q: %w", t.namespace, err)
	}
	// Temporal's own helper writes the namespace row before the server
	// starts (temporalio/temporal#1336); the row is the same in every SQL
	// store, so it serves PostgreSQL as well as SQLite.
	if err := sqliteschema.CreateNamespaces(s.main, ns); err != nil {
		return s, err
	}
	return s, nil
}

// openSQLite returns the persistence config for dir/temporal.db, creating
// the file with its schema if missing.
func openSQLite(dir string) (*config.SQL, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating data dir: %w", err)
	}
	file, err := filepath.Abs(filepath.Join(dir, "temporal.db"))
	if err != nil {
		return nil, err
	}
	conf := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: file,
		// A write-ahead log synced at checkpoints, not at every commit:
		// a commit survives the process being killed at any moment (the
		// chaos and crash tests kill it), and only a crash of the
		// machine itself can lose the last commits before a checkpoint.
		// Every step of every interview is a commit, and with the
		// default journal each one waited for three fsyncs
		// (docs/decisions/0033-sqlite-wal-for-the-dev-server.md).
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal", "busy_timeout": "10000"},
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(conf); err != nil {
			_ = os.Remove(file) // a half-made schema would be reused next time
			return nil, fmt.Errorf("creating schema in %s: %w", file, err)
		}
	} else if err != nil {
		return nil, err
	}
	return conf, nil
}

// clusterShards returns the history shard count the cluster in conf was
// created with, or 0 when no cluster has started there yet. The server
// itself would only warn and use the stored count.
func clusterShards(conf *config.SQL, logger log.Logger) (int32, error) {
	serializer := serialization.NewSerializer()
	factory := sqlpersistence.NewFactory(*conf, resolver.NewNoopResolver(), clusterName, logger, metrics.NoopMetricsHandler, serializer)
	defer factory.Close()
	store, err := factory.NewClusterMetadataStore()
	if err != nil {
		return 0, fmt.Errorf("open cluster metadata: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	md, err := persistence.NewClusterMetadataManagerImpl(store, serializer, clusterName, logger).GetCurrentClusterMetadata(ctx)
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &notFound):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("read cluster metadata: %w", err)
	}
	return md.GetHistoryShardCount(), nil
}

// serverConfig is the single-node configuration of start-dev (free ports
// for the internal services) on the given stores and shards.
func serverConfig(ip, host string, port int, s stores) (*config.Config, error) {
	httpPort, err := freePort(ip)
	if err != nil {
		return nil, err
	}
	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = host
	conf.Persistence.DefaultStore = storeName
	conf.Persistence.NumHistoryShards = s.shards
	conf.Persistence.DataStores = map[string]config.DataStore{storeName: {SQL: s.main}}
	if s.visibility == s.main { // SQLite: one file, one connection pool
		conf.Persistence.VisibilityStore = storeName
	} else {
		conf.Persistence.VisibilityStore = visibilityStore
		conf.Persistence.DataStores[visibilityStore] = config.DataStore{SQL: s.visibility}
	}
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             net.JoinHostPort(host, strconv.Itoa(port)),
				HTTPAddress:            net.JoinHostPort(host, strconv.Itoa(httpPort)),
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for _, name := range temporal.DefaultServices {
		var svc config.Service
		svc.RPC.BindOnIP = ip
		if name == string(primitives.FrontendService) {
			svc.RPC.GRPCPort, svc.RPC.HTTPPort = port, httpPort
		} else if svc.RPC.GRPCPort, err = freePort(ip); err != nil {
			return nil, err
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = net.JoinHostPort(host, strconv.Itoa(port))
	return conf, nil
}

// dynamicConfig holds the dev-server overrides of the Temporal CLI.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// New search attributes and Nexus endpoints are visible at once.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		dynamicconfig.ForceNexusEndpointRefreshOnRead.Key():         true,
		// Uncached search attributes cost more persistence calls.
		dynamicconfig.FrontendPersistenceMaxQPS.Key(): 10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():  45000,
		// The dev server has one history shard, and every workflow task
		// goes through its transfer queue; the default 20 reads a second per
		// shard (sized for clusters of hundreds of shards) made each step of
		// an interview wait ~40 ms (docs/benchmarks.md, part 2).
		dynamicconfig.TransferProcessorMaxPollRPS.Key(): 1000,
		// One partition per task queue: the default four, made for many
		// workers, leave a task written to a partition without a poller
		// waiting for the forwarder (10 tasks a second) when one or two
		// workers poll; a cohort's burst of answers queued behind it.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	}
}

// awaitFrontend polls the frontend health check until it serves, then
// registers the search attributes a reused database may lack.
func (t *Temporal) awaitFrontend(ctx context.Context, attrs map[string]enums.IndexedValueType) error {
	conn, err := grpc.NewClient(t.address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	req := &healthpb.HealthCheckRequest{Service: "temporal.api.workflowservice.v1.WorkflowService"}
	for {
		resp, err := health.Check(ctx, req)
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("frontend %s not serving after %v (last error: %v)", t.address, startTimeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	_, err = RegisterSearchAttributes(ctx, operatorservice.NewOperatorServiceClient(conn), t.namespace, attrs)
	return err
}

// startUI runs the Web UI server in the background and waits until it
// answers.
func (t *Temporal) startUI(ctx context.Context, ip string, port int, codecEndpoint string) error {
	if net.ParseIP(ip).To4() == nil {
		ip = "[" + ip + "]" // the UI server joins host and port with a plain ":"
	}
	t.ui = uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                ip,
		Port:                port,
		TemporalGRPCAddress: t.address,
		EnableUI:            true,
		DefaultNamespace:    t.namespace,
		// The browser sends its cookies to the codec server, which is how
		// it proves HR credentials.
		Codec:            uiconfig.Codec{Endpoint: codecEndpoint, IncludeCredentials: codecEndpoint != ""},
		CORS:             uiconfig.CORS{CookieInsecure: true},
		HideLogs:         true,
		DisableNewsFetch: true, // no internet access assumed
	}))
	t.uiDone = make(chan struct{})
	go func() {
		defer close(t.uiDone)
		if err := t.ui.Start(); err != nil {
			t.logger.Error("Web UI stopped", tag.Error(err))
		}
	}()
	for {
		resp, err := http.Get(t.uiAddress + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-t.uiDone:
			return fmt.Errorf("web UI on %s exited at start", t.uiAddress)
		case <-ctx.Done():
			return fmt.Errorf("web UI on %s not answering (last error: %v)", t.uiAddress, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// pickPort returns port after checking it can be bound on ip, or a free port
// when port is 0.
func pickPort(ip string, port int) (int, error) {
	if port == 0 {
		return freePort(ip)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return 0, err
	}
	return port, l.Close()
}

// freePort asks the OS for a free port on ip. The port is left in TIME_WAIT
// (closed from the accepting side), so Linux does not hand it out again for a
// while, yet it can still be bound explicitly.
func freePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("picking a free port: %w", err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	dialIP := ip
	if net.ParseIP(ip).IsUnspecified() {
		dialIP = "127.0.0.1"
	}
	c, err := net.Dial("tcp", net.JoinHostPort(dialIP, strconv.Itoa(port)))
	if err != nil {
		return port, nil // the port is free all the same
	}
	defer c.Close()
	if s, err := l.Accept(); err == nil {
		_ = s.Close()
	}
	return port, nil
}
