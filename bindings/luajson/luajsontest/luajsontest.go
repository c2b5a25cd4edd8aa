// Package luajsontest has what the tests of luajson and of the Lua modules
// share: comparing and showing Lua values, and a large WeCom answer.
package luajsontest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/wecomrunner/runner/bindings/luajson"
	lua "github.com/yuin/gopher-lua"
)

// Equal reports whether a and b are equal, tables by their contents.
func Equal(a, b lua.LValue) bool {
	ta, ok1 := a.(*lua.LTable)
	tb, ok2 := b.(*lua.LTable)
	if !ok1 || !ok2 {
		if na, ok := a.(lua.LNumber); ok {
			nb, ok := b.(lua.LNumber)
			return ok && (na == nb || math.IsNaN(float64(na)) && math.IsNaN(float64(nb)))
		}
		return a == b
	}
	if ta == tb {
		return true
	}
	equal, count := true, 0
	ta.ForEach(func(k, v lua.LValue) {
		count++
		equal = equal && Equal(v, tb.RawGet(k))
	})
	tb.ForEach(func(lua.LValue, lua.LValue) { count-- })
	return equal && count == 0
}

// Dump renders v for a failure message: tables as Lua constructors with
// sorted keys.
func Dump(v lua.LValue) string {
	var b strings.Builder
	dumpTo(&b, v, 0)
	return b.String()
}

func dumpTo(b *strings.Builder, v lua.LValue, depth int) {
	switch v := v.(type) {
	case lua.LString:
		fmt.Fprintf(b, "%q", string(v))
	case *lua.LTable:
		if depth > 20 {
			b.WriteString("{...}")
			return
		}
		type entry struct{ k, v lua.LValue }
		var entries []entry
		v.ForEach(func(k, v lua.LValue) { entries = append(entries, entry{k, v}) })
		slices.SortFunc(entries, func(x, y entry) int {
			if x.k.Type() != y.k.Type() {
				return int(x.k.Type()) - int(y.k.Type())
			}
			if nx, ok := x.k.(lua.LNumber); ok {
				return cmp.Compare(nx, y.k.(lua.LNumber))
			}
			return strings.Compare(x.k.String(), y.k.String())
		})
		b.WriteString("{")
		for i, e := range entries {
			if i > 0 {
				b.WriteString(", ")
			}
			if e.k == lua.LNumber(i+1) {
				dumpTo(b, e.v, depth+1)
				continue
			}
			if s, ok := e.k.(lua.LString); ok && identifier.MatchString(string(s)) {
				b.WriteString(string(s))
			} else {
				b.WriteString("[")
				dumpTo(b, e.k, depth+1)
				b.WriteString("]")
			}
			b.WriteString("=")
			dumpTo(b, e.v, depth+1)
		}
		b.WriteString("}")
	default:
		if luajson.IsNull(v) {
			b.WriteString("json.null")
			return
		}
		b.WriteString(v.String())
	}
}

// identifier is a key that Dump writes without brackets.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Member is one element of a user/list response, with the fields WeCom
// sends to a contacts-sync app, in WeCom's order.
type Member struct {
	UserID         string   `json:"userid"`
	Name           string   `json:"name"`
	Department     []int    `json:"department"`
	Order          []int    `json:"order"`
	Position       string   `json:"position"`
	Mobile         string   `json:"mobile"`
	Gender         string   `json:"gender"`
	Email          string   `json:"email"`
	IsLeaderInDept []int    `json:"is_leader_in_dept"`
	DirectLeader   []string `json:"direct_leader"`
	Alias          string   `json:"alias"`
	Status         int      `json:"status"`
	MainDepartment int      `json:"main_department"`
	ExtAttr        extAttr  `json:"extattr"`
}

type extAttr struct {
	Attrs []attr `json:"attrs"`
}

type attr struct {
	Type int    `json:"type"`
	Name string `json:"name"`
	Text *struct {
		Value string `json:"value"`
	} `json:"text,omitempty"`
	Web *struct {
		URL   string `json:"url"`
		Title string `json:"title"`
	} `json:"web,omitempty"`
}

// UserListBody returns a user/list response of n members: the same bytes
// for the same n, about 260 bytes per member.
func UserListBody(n int) []byte {
	surnames := []struct{ han, pinyin string }{
		{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"},
		{"杨", "yang"}, {"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"},
		{"徐", "xu"}, {"孙", "sun"}, {"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"},
		{"欧阳", "ouyang"}, {"司马", "sima"},
	}
	given := []struct{ han, pinyin string }{
		{"伟", "wei"}, {"芳", "fang"}, {"娜", "na"}, {"秀英", "xiuying"}, {"敏", "min"},
		{"静", "jing"}, {"丽", "li"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"},
		{"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"}, {"杰", "jie"}, {"娟", "juan"},
		{"涛", "tao"}, {"明", "ming"}, {"超", "chao"}, {"秀兰", "xiulan"}, {"霞", "xia"},
	}
	positions := []string{"", "工程师", "高级工程师", "产品经理", "销售代表", "客户经理", "财务专员",
		"人事专员", "运营专员", "设计师", "测试工程师", "部门经理", "总监", "行政助理"}
	r := rand.New(rand.NewPCG(5, 50000))
	list := make([]Member, n)
	for i := range list {
		s, g := surnames[r.IntN(len(surnames))], given[r.IntN(len(given))]
		m := Member{
			UserID:       fmt.Sprintf("%s%s%05d", s.pinyin, g.pinyin, i),
			Name:         s.han + g.han,
			Position:     positions[r.IntN(len(positions))],
			Gender:       fmt.Sprint(1 + r.IntN(2)),
			Status:       []int{1, 1, 1, 1, 1, 1, 2, 4, 5}[r.IntN(9)],
			DirectLeader: []string{},
		}
		for range 1 + r.IntN(4)/3 {
			m.Department = append(m.Department, 2+r.IntN(3000))
			m.Order = append(m.Order, []int{0, 0, 100000000 - r.IntN(1000)}[r.IntN(3)])
			m.IsLeaderInDept = append(m.IsLeaderInDept, []int{0, 0, 0, 0, 1}[r.IntN(5)])
		}
		m.MainDepartment = m.Department[0]
		if r.IntN(2) > 0 {
			m.Mobile = fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1e9))
		}
		if r.IntN(4) == 0 {
			m.Email = m.UserID + "@example.com"
		}
		if r.IntN(4) == 0 {
			m.DirectLeader = append(m.DirectLeader, fmt.Sprintf("%s%05d", surnames[r.IntN(len(surnames))].pinyin, r.IntN(n)))
		}
		if r.IntN(3) == 0 {
			a := attr{Type: 0, Name: "工号", Text: &struct {
				Value string `json:"value"`
			}{fmt.Sprintf("E%06d", i)}}
			m.ExtAttr.Attrs = append(m.ExtAttr.Attrs, a)
		}
		if m.ExtAttr.Attrs == nil {
			m.ExtAttr.Attrs = []attr{}
		}
		list[i] = m
	}
	body, err := json.Marshal(map[string]any{"errcode": 0, "errmsg": "ok", "userlist": list})
	if err != nil {
		panic(err)
	}
	return body
}
