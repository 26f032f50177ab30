// Command compose-config loads Compose files with compose-go, the library that
// `docker compose` uses, and prints the resulting project as JSON, like
// `docker compose config --format json`. It validates the files against the
// Compose specification, checks references between services, volumes and
// networks, interpolates variables from its own environment, and resolves paths,
// so the deployment checks can read the same model Docker would run without a
// Docker engine.
//
// Usage: compose-config [-profiles a,b] compose.yml [override.yml ...]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	profiles := flag.String("profiles", "*", "comma-separated profiles to enable; * enables every profile")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: compose-config [-profiles a,b] compose.yml [override.yml ...]")
		os.Exit(2)
	}

	options, err := cli.NewProjectOptions(
		flag.Args(),
		cli.WithEnv(os.Environ()),
		cli.WithProfiles(strings.Split(*profiles, ",")),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	output, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	if _, err := os.Stdout.Write(output); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose-config: %v\n", err)
	os.Exit(1)
}
