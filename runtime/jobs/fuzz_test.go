package jobs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParseConfig loads arbitrary jobs files. Parse and Validate never
// panic; every problem names a file, a line of it and what is wrong; a file
// that validates has jobs ready to schedule. The seed corpus is in
// testdata/fuzz/FuzzParseConfig/.
func FuzzParseConfig(f *testing.F) {
	dir := f.TempDir()
	for _, name := range []string{"a.lua", "scripts/sync.lua", "scripts/report.lua"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("return 1\n"), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	getenv := func(name string) string {
		if strings.HasPrefix(name, "UNSET") {
			return ""
		}
		return "value-of-" + name
	}
	file := filepath.Join(dir, "jobs.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(bytes.NewReader(data), file, getenv)
		if err == nil {
			err = cfg.Validate()
		}
		if err == nil {
			now := time.Now()
			for _, j := range cfg.Jobs {
				if j.Location == nil || j.Proto == nil || j.Timeout <= 0 {
					t.Fatalf("job %q validated without its time zone, script or timeout", j.Name)
				}
				j.Next(now)
			}
			return
		}
		var problems Problems
		if !errors.As(err, &problems) || len(problems) == 0 {
			t.Fatalf("error %v is not Problems", err)
		}
		lines := yamlLines(data)
		for _, p := range problems {
			if p.File == "" || p.Msg == "" {
				t.Errorf("problem %+v has no file or message", p)
			}
			if p.File == file && p.Line > lines {
				t.Errorf("problem %q is on line %d of a %d-line file", p, p.Line, lines)
			}
		}
	})
}

// yamlLines counts the lines of data as YAML does: \r\n, \r, \n and the
// Unicode line breaks NEL, LS and PS each end one.
func yamlLines(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	n := 1
	for _, br := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		n += strings.Count(s, br)
	}
	return n
}
