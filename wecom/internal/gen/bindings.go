package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/wecomrunner/runner/wecom/internal/table"
)

// bindingsFile is bindings/methods_gen.go: the groups' titles and legacy
// flags, and for each group the Lua functions with their parameter specs.
func bindingsFile(methods []*method) []byte {
	var b bytes.Buffer
	w := func(format string, v ...any) { fmt.Fprintf(&b, format, v...) }
	b.WriteString(header)
	w("package bindings\n\nimport lua \"github.com/yuin/gopher-lua\"\n\n")

	w("// groupTitles are the API groups' titles in the WeCom documentation.\n")
	w("var groupTitles = map[string]string{\n")
	for _, g := range table.Groups {
		w("\t%q: %q,\n", g.Name, g.Title)
	}
	w("}\n\n")
	w("// legacy names the groups WeCom no longer develops.\n")
	w("var legacy = map[string]bool{")
	var names []string
	for _, g := range table.Groups {
		if g.Legacy {
			names = append(names, fmt.Sprintf("%q: true", g.Name))
		}
	}
	w("%s}\n", strings.Join(names, ", "))

	for _, g := range table.Groups {
		v := groupVar(g.Name)
		w("\n// %sGroup is wecom.%s: %s.\nvar %sGroup = group{\n", v, g.Name, g.Title, v)
		for _, m := range methods {
			if m.Group == g.Name {
				luaFunction(&b, m)
			}
		}
		w("}\n")
	}
	return b.Bytes()
}

// luaFunction writes one entry of a group: the method's spec and prepare.
func luaFunction(b *bytes.Buffer, m *method) {
	w := func(format string, v ...any) { fmt.Fprintf(b, format, v...) }
	w("\t%q: {doc: %q, http: %q,", m.Name, m.Doc, m.HTTP)
	if m.Kwargs != "" {
		w(" kwargs: %q,", m.Kwargs)
	}
	if m.LuaResult != "" {
		w(" result: %q,", m.LuaResult)
	}
	if sp := m.Span; sp != nil {
		w(" span: &span{from: %q, to: %q, days: %d},", sp.From, sp.To, sp.Days)
	}
	w("\n")
	if len(m.Params) > 0 {
		w("\t\tparams: []param{\n")
		for _, p := range m.Params {
			w("\t\t\t%s,\n", paramSpec(p))
		}
		w("\t\t},\n")
	}
	if !m.luaGenerated() {
		w("\t\tprepare: %s},\n", handName(m))
		return
	}
	var args []string
	for _, p := range m.Params {
		args = append(args, fmt.Sprintf("a.%s(%q)", accessors[p.Type], p.Name))
	}
	w("\t\tprepare: func(a *args) call { return send(a, a.client.%s.%sRequest(%s)) }},\n", m.group.Service, m.Go, strings.Join(args, ", "))
}

// accessors are the args methods that read a parameter of each type.
var accessors = map[table.Type]string{
	table.String:  "str",
	table.Int:     "int",
	table.Bool:    "bool",
	table.Strings: "list",
	table.Joined:  "list",
	table.Ints:    "ints",
	table.IDs:     "idList",
	table.Table:   "any",
	table.Value:   "any",
	table.File:    "upload",
}

// paramSpec is the Go literal of a parameter's spec.
func paramSpec(p table.Param) string {
	fields := []string{fmt.Sprintf("name: %q", p.Name), fmt.Sprintf("typ: %q", luaType(p.Type))}
	switch d := p.Default; {
	case d == table.Required:
	case d == table.ClientAgentID:
		fields = append(fields, "agent: true")
	default:
		fields = append(fields, "opt: true")
		if lit, _ := luaDefault(p); lit != "" {
			fields = append(fields, "def: "+luaValue(lit))
		}
	}
	if p.Max > 0 {
		fields = append(fields, fmt.Sprintf("max: %d", p.Max))
	}
	fields = append(fields, fmt.Sprintf("doc: %q", p.Doc))
	return "{" + strings.Join(fields, ", ") + "}"
}

// luaValue is the gopher-lua value of a Lua literal.
func luaValue(lit string) string {
	switch {
	case lit == "true":
		return "lua.LTrue"
	case lit == "false":
		return "lua.LFalse"
	case strings.HasPrefix(lit, `"`):
		return "lua.LString(" + lit + ")"
	}
	return "lua.LNumber(" + lit + ")"
}

// handName is the Go function of a hand-written Lua function: userAllIDs
// for user.all_ids, externalContactGetGroupChatList for
// external_contact.get_group_chat_list.
func handName(m *method) string {
	name := goName(table.Param{Name: m.Name})
	return groupVar(m.Group) + strings.ToUpper(name[:1]) + name[1:]
}

// groupVar is a group's name in Go identifiers: user, externalContact.
func groupVar(group string) string { return goName(table.Param{Name: group}) }
