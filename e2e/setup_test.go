package e2e

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	v12 "go.temporal.io/server/schema/postgresql/v12"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/mianshi/mianshi/internal/testenv"
)

// `mianshi temporal setup` is idempotent and says how to do the same with
// the Temporal CLI.
func TestTemporalSetupIsIdempotent(t *testing.T) {
	port := freePort(t)
	startRunning(t, "temporal", []string{"temporal", "serve", "--data-dir", t.TempDir(),
		"--temporal-port", fmt.Sprint(port), "--ui-port", "-1"}, nil)
	for range 2 {
		out, err := exec.Command(binary, "temporal", "setup", "--temporal-address", fmt.Sprintf("127.0.0.1:%d", port)).CombinedOutput()
		if err != nil {
			t.Fatalf("setup: %v\n%s", err, out)
		}
		for _, want := range []string{
			"temporal operator search-attribute create --namespace default --name MianshiScore --type Double",
			"MianshiTrack (Keyword): already registered",
			"MianshiRound (Int): already registered",
		} {
			if !strings.Contains(string(out), want) {
				t.Errorf("setup output lacks %q:\n%s", want, out)
			}
		}
	}
	// A namespace the cluster lacks is created first.
	for i := range 2 {
		out, err := exec.Command(binary, "temporal", "setup", "--temporal-address", fmt.Sprintf("127.0.0.1:%d", port),
			"--temporal-namespace", "cohort").CombinedOutput()
		if err != nil {
			t.Fatalf("setup of a new namespace: %v\n%s", err, out)
		}
		created := strings.Contains(string(out), "namespace cohort: created")
		state := "MianshiTrack (Keyword): registered"
		if i > 0 {
			state = "MianshiTrack (Keyword): already registered"
		}
		if created != (i == 0) || !strings.Contains(string(out), state+"\n") {
			t.Errorf("setup %d of namespace cohort: created %v, want %v, and %q:\n%s", i+1, created, i == 0, state, out)
		}
	}
	noAddress := exec.Command(binary, "temporal", "setup")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_ADDRESS=") {
			noAddress.Env = append(noAddress.Env, kv)
		}
	}
	out, err := noAddress.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "TEMPORAL_ADDRESS") {
		t.Errorf("setup without an address = %v\n%s; want an error naming TEMPORAL_ADDRESS", err, out)
	}
}

// `mianshi temporal schema` creates Temporal's two databases and brings
// their schemas to this server version's, with Temporal's schema tool;
// a second run finds nothing to do.
func TestTemporalSchemaOnPostgreSQL(t *testing.T) {
	db := scratchDatabase(t, testenv.DatabaseURL(t), "e2e_temporal", false)
	for range 2 {
		out, err := exec.Command(binary, "temporal", "schema", "--database", db).CombinedOutput()
		if err != nil {
			t.Fatalf("temporal schema: %v\n%s", err, out)
		}
		want := fmt.Sprintf("Temporal schema: version %s, visibility schema: version %s", v12.Version, v12.VisibilityVersion)
		if !strings.Contains(string(out), want) {
			t.Errorf("temporal schema said %q, want %q", out, want)
		}
	}
	out, err := exec.Command(binary, "temporal", "schema").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "needs --database") {
		t.Errorf("temporal schema without a database = %v\n%s", err, out)
	}
}

// `mianshi dev` with MIANSHI_TEMPORAL_DB keeps Temporal in PostgreSQL: an
// interview goes on after the whole process is SIGKILLed and started again
// on the same database, and HR finds it through SQL visibility on the
// custom search attributes.
func TestDevOnTemporalPostgreSQL(t *testing.T) {
	db := "MIANSHI_TEMPORAL_DB=" + scratchDatabase(t, testenv.DatabaseURL(t), "e2e_temporal", false)
	dataDir, p := t.TempDir(), freePorts(t)
	d := startDev(t, dataDir, p, db)
	if out := d.log.String(); !strings.Contains(out, "(embedded, PostgreSQL ") || !strings.Contains(out, "4 history shards") {
		t.Fatalf("mianshi dev does not say it runs Temporal on PostgreSQL with 4 shards:\n%s", out)
	}
	s := newSession(t, d.baseURL, 2)
	s.answerWell(s.awaiting(1))
	d.kill()

	d = startDev(t, dataDir, p, db)
	s.answerWell(s.awaiting(2))
	checkTranscript(t, s.completed(), 2)
	checkHRFindsIt(t, d, dataDir, s.iv.ID)
}

// scratchDatabase names a database for this test on the PostgreSQL server
// of base (prefix_<ns>), creates it when create is set (a Temporal server
// creates its own), and drops it and its _visibility twin when the test
// ends. It returns the database's URL.
func scratchDatabase(t *testing.T, base, prefix string, create bool) string {
	t.Helper()
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v", err)
	}
	name := fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	if create {
		if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
			t.Fatalf("create database %s: %v", name, err)
		}
	}
	t.Cleanup(func() {
		for _, db := range []string{name, name + "_visibility"} {
			if err := admin.Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)").Error; err != nil {
				t.Logf("drop database %s: %v", db, err)
			}
		}
		if db, err := admin.DB(); err == nil {
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
