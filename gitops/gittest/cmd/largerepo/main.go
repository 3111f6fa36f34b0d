// Command largerepo makes the generated large repository the benchmarks and timing scripts use
// (gittest.LargeTree): by default 75,000 committed files, 32,000 ignored build outputs and a dozen
// 8 MiB files, about 440 MB. Usage:
//
//	go run ./gitops/gittest/cmd/largerepo [-tracked N] [-ignored N] [-seed N] DIR
//
// DIR must not exist or be empty. Benchmarks reuse it with HEW_LARGE_REPO=DIR.
package main

import (
	"flag"
	"fmt"
	"os"

	"hew/gitops/gittest"
)

func main() {
	var spec gittest.LargeTree
	flag.IntVar(&spec.Tracked, "tracked", 0, "files to commit (0: 75,000)")
	flag.IntVar(&spec.Ignored, "ignored", 0, "ignored build outputs (0: 32,000)")
	flag.Int64Var(&spec.Seed, "seed", 0, "the same seed makes the same tree")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: largerepo [flags] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "largerepo:", err)
		os.Exit(1)
	}
	if err := gittest.MakeLargeRepo(dir, spec); err != nil {
		fmt.Fprintln(os.Stderr, "largerepo:", err)
		os.Exit(1)
	}
	fmt.Println(dir)
}
