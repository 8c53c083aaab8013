package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
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
