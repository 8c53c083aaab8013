package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/crypto/bcrypt"

	"github.com/mianshi/mianshi/store"
)

const hrUsage = `usage: mianshi hr add-user NAME --role admin|reviewer
       mianshi hr list-users
       mianshi hr remove-user NAME

HR accounts sign in at /hr with their name and password. add-user reads the
password from MIANSHI_HR_PASSWORD, or as one line from standard input. The
database is DATABASE_URL, or the SQLite file in --data-dir (MIANSHI_DATA_DIR).
An admin may do everything HR may; a reviewer reads interviews and campaigns
but changes no campaign and erases nothing.`

// minPasswordLen is the shortest password add-user accepts.
const minPasswordLen = 12

// runHR manages HR accounts in the database.
func runHR(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(hrUsage)
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("mianshi hr "+sub, flag.ContinueOnError)
	dataDir := fs.String("data-dir", envOr(getenv, "MIANSHI_DATA_DIR", "./data"), "data dir of the SQLite database (MIANSHI_DATA_DIR)")
	role := fs.String("role", "", "admin or reviewer (add-user)")
	// The name comes first; flags after it.
	var name string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if name == "" && fs.NArg() > 0 {
		name = fs.Arg(0)
	}
	db, err := store.Open(ctx, getenv("DATABASE_URL"), *dataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "add-user":
		return addHRUser(ctx, db, name, *role, getenv, stdin, stdout)
	case "list-users":
		return listHRUsers(ctx, db, stdout)
	case "remove-user":
		if name == "" {
			return errors.New(hrUsage)
		}
		if err := db.DeleteHRUser(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed HR user %s and ended their sessions\n", name)
		return nil
	}
	return fmt.Errorf("unknown hr command %q\n%s", sub, hrUsage)
}

func addHRUser(ctx context.Context, db *store.Store, name, role string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	switch {
	case name == "" || len(name) > 100 || strings.ContainsAny(name, " \t\r\n"):
		return errors.New("add-user needs a NAME of at most 100 characters without spaces\n" + hrUsage)
	case role != store.RoleAdmin && role != store.RoleReviewer:
		return errors.New("add-user needs --role admin or --role reviewer")
	}
	password := getenv("MIANSHI_HR_PASSWORD")
	if password == "" {
		fmt.Fprintf(os.Stderr, "password for %s: ", name)
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if len(password) < minPasswordLen {
		return fmt.Errorf("the password is too short: use at least %d characters", minPasswordLen)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := db.CreateHRUser(ctx, &store.HRUser{Name: name, Role: role, PasswordHash: string(hash)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added HR user %s (%s)\n", name, role)
	return nil
}

func listHRUsers(ctx context.Context, db *store.Store, stdout io.Writer) error {
	users, err := db.HRUsers(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tROLE\tCREATED")
	for _, u := range users {
		fmt.Fprintf(w, "%s\t%s\t%s\n", u.Name, u.Role, u.CreatedAt.UTC().Format("2006-01-02 15:04"))
	}
	return w.Flush()
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// publicOrigin is the scheme and host of the public URL.
func publicOrigin(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
