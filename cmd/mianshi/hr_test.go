package main

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/mianshi/mianshi/store"
)

func TestHRUsersCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"MIANSHI_DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	run := func(stdin string, args ...string) (string, error) {
		var out bytes.Buffer
		err := runHR(t.Context(), args, getenv, strings.NewReader(stdin), &out)
		return out.String(), err
	}
	if _, err := run("short\n", "add-user", "ana", "--role", "admin"); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("short password: %v", err)
	}
	if _, err := run("long enough password\n", "add-user", "ana", "--role", "owner"); err == nil {
		t.Fatal("an unknown role was accepted")
	}
	if _, err := run("long enough password\n", "add-user", "ana", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	env["MIANSHI_HR_PASSWORD"] = "another long password"
	if _, err := run("", "add-user", "rae", "--role", "reviewer"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("", "add-user", "rae", "--role", "reviewer"); err == nil {
		t.Fatal("a second rae was added")
	}
	out, err := run("", "list-users")
	if err != nil || !strings.Contains(out, "ana") || !strings.Contains(out, "reviewer") {
		t.Fatalf("list = %q, %v", out, err)
	}

	db, err := store.Open(t.Context(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.HRUser(t.Context(), "ana")
	if err != nil || strings.Contains(u.PasswordHash, "long enough") ||
		bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte("long enough password")) != nil {
		t.Fatalf("ana = %+v, %v; want a bcrypt hash of the password", u, err)
	}
	db.Close()

	if _, err := run("", "remove-user", "rae"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("", "remove-user", "rae"); err == nil {
		t.Fatal("removing rae twice is no error")
	}
}
