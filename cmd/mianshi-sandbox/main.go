// Command mianshi-sandbox is the init of the judge's sandboxes: mianshi
// starts it inside new namespaces, where it builds the sandbox and execs the
// candidate's program. It is a binary of its own because a small one starts
// in milliseconds and a few megabytes, and its memory counts against the
// program's limit until the exec. Install it next to mianshi.
package main

import (
	"fmt"
	"os"

	"github.com/mianshi/mianshi/judge/sandbox"
)

func main() {
	sandbox.Main()
	fmt.Fprintln(os.Stderr, "mianshi-sandbox: started by mianshi's judge only, not by hand")
	os.Exit(2)
}
