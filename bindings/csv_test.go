package bindings

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestCSVModule(t *testing.T) {
	dir := t.TempDir()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("name,dept\n张三,研发部\n")
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"gbk.csv":    gbk,
		"bom.csv":    "\xEF\xBB\xBF姓名,帐号\n张三,zhangsan\n",
		"binary.csv": "a,b\n1,2\n\xff\xfe\x00,3\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	runLuaTests(t, "testdata/csv_test.lua", preloadHelpers(&Env{Dirs: []string{dir}}))
}
