// Command mianshi runs the mianshi AI interview platform.
//
//	mianshi dev      everything in one process: embedded Temporal (with its
//	                 Web UI), worker, API, SQLite and an in-process Redis
//	mianshi api      the HTTP API alone, against external services
//	mianshi worker   the Temporal worker alone, against external services
//	mianshi temporal serve
//	                 the embedded Temporal server alone, on SQLite or (with
//	                 --database postgres://…) on its own PostgreSQL, for
//	                 api and worker processes in other processes
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/mianshi/mianshi/judge/sandbox"
)

func main() {
	sandbox.Main() // when started as a judge sandbox's init, this never returns
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "mianshi:", err)
		os.Exit(1)
	}
}

const usage = `mianshi — durable AI interviews on Temporal

Usage:
  mianshi dev      run everything in one process (embedded Temporal, worker, API)
  mianshi api      run the HTTP API against external Temporal, database and Redis
  mianshi worker   run the Temporal worker against external services
  mianshi temporal serve [--database postgres://… --shards N]
                   run only the embedded Temporal server (and its UI), on
                   SQLite in the data dir or on its own PostgreSQL
  mianshi temporal schema --database postgres://…
                   create or upgrade a Temporal cluster's PostgreSQL schema
                   (for the official server image) and exit
  mianshi temporal setup
                   create the namespace (if missing) and register mianshi's
                   search attributes on an external cluster
  mianshi campaigns create --file campaign.yaml | list | show ID
                   manage scheduled campaigns through the HR API
  mianshi questions import|search|stats|delete
                   manage the question bank (see "mianshi questions")
  mianshi hr add-user NAME --role admin|reviewer | list-users | remove-user NAME
                   manage HR accounts (see "mianshi hr")
  mianshi judge --language L --tests tests.json SOURCE
                   judge a program in a sandbox and print the verdict as JSON
  mianshi calibrate [--json] [--report FILE] FILE
                   measure how well the interviewer's scores agree with
                   human grades in FILE (see "mianshi calibrate -h")

Run "mianshi <command> -h" for the settings of a command.
`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "dev", "api", "worker":
		cfg, err := loadConfig(cmd, rest, os.Getenv)
		if err != nil {
			return err
		}
		return runStack(ctx, cfg)
	case "temporal":
		if len(rest) == 0 || !slices.Contains([]string{"serve", "schema", "setup"}, rest[0]) {
			return errors.New("usage: mianshi temporal serve [--data-dir DIR | --database postgres://…] [--shards N] [--temporal-port N] [--ui-port N]\n" +
				"       mianshi temporal schema --database postgres://…\n" +
				"       mianshi temporal setup [--temporal-address HOST:PORT] [--temporal-namespace NS]")
		}
		cfg, err := loadConfig("temporal", rest[1:], os.Getenv)
		if err != nil {
			return err
		}
		switch rest[0] {
		case "setup":
			return setupTemporal(ctx, cfg, os.Stdout)
		case "schema":
			return setupTemporalSchema(cfg, os.Stdout)
		}
		return serveTemporal(ctx, cfg)
	case "campaigns":
		return runCampaigns(ctx, rest, os.Getenv, os.Stdout)
	case "questions":
		return runQuestions(ctx, rest)
	case "hr":
		return runHR(ctx, rest, os.Getenv, os.Stdin, os.Stdout)
	case "judge":
		return runJudge(ctx, rest, os.Getenv, os.Stdin, os.Stdout)
	case "calibrate":
		return runCalibrate(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprint(os.Stdout, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
