//go:build ignore

// gen_model fits the answer engine's weights on the repository's question
// sets and writes model.json: `go generate ./answer/rank`. It is the same
// fit as `storybot train`, runnable without building the rest of the
// program.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"storybot/answer/eval"
	"storybot/answer/rank/train"
)

func main() {
	out := flag.String("o", "model.json", "file to write")
	date := flag.String("date", time.Now().UTC().Format("2006-01-02"), "the training date recorded in the model")
	flag.Parse()
	data := flag.Args()
	if len(data) == 0 {
		data = []string{"../../testdata/squad", "../../testdata/eval"}
	}
	pairs, err := eval.Pairs(data...)
	if err != nil {
		log.Fatal(err)
	}
	m, err := train.Model(context.Background(), pairs, data, *date)
	if err != nil {
		log.Fatal(err)
	}
	b, err := m.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: threshold %.3f, fitted on %d question sets\n", *out, m.Threshold, len(pairs))
}
