package emulator

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is the module's import path.
const module = "github.com/wecomrunner/runner"

// independentOf are the only packages of the module the emulator may use,
// directly or not: leaf packages of WeCom's formats that depend on nothing
// of the client, so that the emulator checks the client rather than
// sharing its code: the import files, and the AES-256-CBC of callbacks and
// export files (cbc is checked against the official worked example in
// wecom/callback's tests and against crypto/cipher in its own).
var independentOf = []string{module + "/wecom/batchfile", module + "/wecom/internal/cbc"}

// TestEmulatorIsIndependentOfTheClient reads the imports of the emulator's
// source (tests aside) and of every package of the module they reach: none
// is the client or any package of the module but those allowed.
func TestEmulatorIsIndependentOfTheClient(t *testing.T) {
	root, err := filepath.Abs("../..") // the module's root
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var visit func(pkg string)
	visit = func(pkg string) {
		if seen[pkg] {
			return
		}
		seen[pkg] = true
		for _, imp := range imports(t, filepath.Join(root, strings.TrimPrefix(pkg, module))) {
			if imp != module && !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if !slices.Contains(independentOf, imp) {
				t.Errorf("%s imports %s: the emulator may use only %v of the module", pkg, imp, independentOf)
				continue
			}
			visit(imp)
		}
	}
	visit(module + "/wecom/emulator")
	if len(seen) < 2 {
		t.Errorf("the emulator reaches %v: the test no longer sees its imports", seen)
	}
}

// imports returns the packages the non-test Go files of dir import.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range f.Imports {
			p, _ := strconv.Unquote(s.Path.Value)
			out = append(out, p)
		}
	}
	return out
}
