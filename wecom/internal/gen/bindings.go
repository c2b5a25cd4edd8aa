package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wecomrunner/runner/wecom/internal/table"
)

// bindingsFile is bindings/methods_gen.go: the groups' titles and legacy
// flags, and for each group the Lua functions with their parameter specs.
func bindingsFile(methods []*method, tableVars map[paramKey]string) []byte {
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

	shared := sharedParams(methods, tableVars)
	if len(shared.order) > 0 {
		w("\n// The parameter specs that several functions share.\nvar (\n")
		for _, spec := range shared.order {
			w("\t%s = param%s\n", shared.names[spec], spec)
		}
		w(")\n")
	}

	for _, g := range table.Groups {
		v := groupVar(g.Name)
		w("\n// %sGroup is wecom.%s: %s.\nvar %sGroup = group{\n", v, g.Name, g.Title, v)
		for _, m := range methods {
			if m.Group == g.Name {
				luaFunction(&b, m, shared.names)
			}
		}
		w("}\n")
	}
	return b.Bytes()
}

// shared are the parameter specs used by more than one function, each
// written once as a variable.
type shared struct {
	names map[string]string // the variable of each spec, by its literal
	order []string          // the specs, in the order of their first use
}

// sharedParams names the specs used more than once: after the table's
// variable of the parameter when it has one (msgAgentID:
// msgAgentIDParam), else after the parameter, prefixed with the group of
// its first use when the parameter has several shared specs.
func sharedParams(methods []*method, tableVars map[paramKey]string) shared {
	uses := map[string]int{}
	type firstUse struct {
		p     table.Param
		group string
	}
	var specs []string
	first := map[string]firstUse{}
	for _, m := range methods {
		for _, p := range m.Params {
			spec := paramSpec(p)
			if uses[spec] == 0 {
				specs = append(specs, spec)
				first[spec] = firstUse{p, m.Group}
			}
			uses[spec]++
		}
	}
	variants := map[string]int{} // shared specs by Lua name
	for _, spec := range specs {
		if uses[spec] > 1 {
			variants[first[spec].p.Name]++
		}
	}
	sh := shared{names: map[string]string{}}
	taken := map[string]bool{}
	for _, spec := range specs {
		if uses[spec] < 2 {
			continue
		}
		f := first[spec]
		name, ok := tableVars[paramKey{f.p.Name, f.p.Doc}]
		if !ok {
			name = goName(table.Param{Name: f.p.Name})
			if variants[f.p.Name] > 1 {
				name = groupVar(f.group) + strings.ToUpper(name[:1]) + name[1:]
			}
		}
		name += "Param"
		for i := 2; taken[name]; i++ {
			name = fmt.Sprintf("%s%d", strings.TrimRight(name, "0123456789"), i)
		}
		taken[name] = true
		sh.names[spec] = name
		sh.order = append(sh.order, spec)
	}
	return sh
}

// paramKey identifies a parameter of the table: its name and its doc.
type paramKey struct{ name, doc string }

// tableParamVars reads the Go files of the table in dir and returns the
// names of its Param variables, by parameter, for those that one variable
// alone declares.
func tableParamVars(dir string) (map[paramKey]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	vars := map[paramKey]string{}
	seen := map[paramKey]int{}
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, value := range vs.Values {
					lit, ok := value.(*ast.CompositeLit)
					if !ok {
						continue
					}
					if typ, ok := lit.Type.(*ast.Ident); !ok || typ.Name != "Param" {
						continue
					}
					fields := map[string]string{}
					for _, elt := range lit.Elts {
						kv, ok := elt.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						key, _ := kv.Key.(*ast.Ident)
						if s, _ := kv.Value.(*ast.BasicLit); key != nil && s != nil && s.Kind == token.STRING {
							fields[key.Name], _ = strconv.Unquote(s.Value)
						}
					}
					k := paramKey{fields["Name"], fields["Doc"]}
					vars[k] = vs.Names[i].Name
					seen[k]++
				}
			}
		}
	}
	for k, n := range seen {
		if n > 1 {
			delete(vars, k)
		}
	}
	return vars, nil
}

// luaFunction writes one entry of a group: the method's spec and prepare.
// A parameter spec with a name in shared is written as that variable.
func luaFunction(b *bytes.Buffer, m *method, shared map[string]string) {
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
	// Consecutive shared specs go on one line, each literal on its own.
	var lines, names []string
	for _, p := range m.Params {
		spec := paramSpec(p)
		if name, ok := shared[spec]; ok {
			names = append(names, name)
			continue
		}
		if len(names) > 0 {
			lines, names = append(lines, strings.Join(names, ", ")), nil
		}
		lines = append(lines, spec)
	}
	if len(names) > 0 {
		lines = append(lines, strings.Join(names, ", "))
	}
	switch {
	case len(lines) == 1 && len(names) > 0:
		w("\t\tparams: []param{%s},\n", lines[0])
	case len(lines) > 0:
		w("\t\tparams: []param{\n\t\t\t%s,\n\t\t},\n", strings.Join(lines, ",\n\t\t\t"))
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
