package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/wecomrunner/runner/wecom/internal/table"
)

// method is a row of the table with what the generators derive from it.
type method struct {
	table.Method
	group     table.Group
	endpoints []endpoint // what HTTP says, in order
}

// endpoint is one API a method calls.
type endpoint struct {
	verb  string     // GET or POST
	api   string     // the path below the base URL
	query url.Values // fixed query parameters
}

// key is "group.name".
func (m *method) key() string { return m.Group + "." + m.Name }

// generated reports whether the request builder is generated.
func (m *method) generated() bool { return m.Hand != table.HandWritten }

// luaGenerated reports whether the Lua function is generated.
func (m *method) luaGenerated() bool { return m.generated() && m.Body == "" }

// goParams are the parameters of the request builder and the typed method,
// and the arguments that pass them on.
func (m *method) goParams() (params, args []string) {
	if m.Body != "" {
		name, _, _ := strings.Cut(m.Body, " ")
		return []string{m.Body}, []string{name}
	}
	for _, p := range m.Params {
		params = append(params, goName(p)+" "+goTypes[p.Type])
		args = append(args, goName(p))
	}
	return params, args
}

// load checks the table and returns its methods.
func load() ([]*method, error) {
	groups := map[string]table.Group{}
	for _, g := range table.Groups {
		groups[g.Name] = g
	}
	var errs []error
	fail := func(m table.Method, format string, v ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", m.Group, m.Name, fmt.Sprintf(format, v...)))
	}
	seen := map[string]bool{}
	reads := map[string]bool{}     // by API
	dryRuns := map[string]string{} // by API
	var out []*method
	for _, row := range table.Methods {
		m := &method{Method: row}
		g, ok := groups[row.Group]
		if !ok {
			fail(row, "no group %q", row.Group)
			continue
		}
		m.group = g
		if seen[m.key()] {
			fail(row, "declared twice")
		}
		seen[m.key()] = true
		if row.Doc == "" || !strings.HasSuffix(row.Doc, ".") {
			fail(row, "the doc must be a sentence")
		}
		for ep := range strings.SplitSeq(row.HTTP, ", ") {
			if ep == "" {
				continue
			}
			e, err := parseEndpoint(ep)
			if err != nil {
				fail(row, "%v", err)
				continue
			}
			m.endpoints = append(m.endpoints, e)
			if r, ok := reads[e.api]; ok && r != row.Read {
				fail(row, "%s is a read in one method and a write in another", e.api)
			}
			reads[e.api] = row.Read
		}
		if row.DryRun != "" {
			if !json.Valid([]byte(row.DryRun)) {
				fail(row, "the dry-run answer is not JSON")
			}
			if len(m.endpoints) != 1 {
				fail(row, "a dry-run answer needs exactly one endpoint")
			} else if api := m.endpoints[0].api; dryRuns[api] != "" && dryRuns[api] != row.DryRun {
				fail(row, "another dry-run answer for %s", api)
			} else {
				dryRuns[api] = row.DryRun
			}
		}
		names := map[string]bool{}
		for _, p := range row.Params {
			if names[p.Name] {
				fail(row, "parameter %s declared twice", p.Name)
			}
			names[p.Name] = true
			if p.Doc == "" {
				fail(row, "parameter %s has no doc", p.Name)
			}
			if _, err := luaDefault(p); err != nil {
				fail(row, "parameter %s: %v", p.Name, err)
			}
		}
		if m.generated() {
			if row.Go == "" || len(m.endpoints) != 1 || row.Kwargs != "" {
				fail(row, "a generated method needs a Go name, one endpoint and no kwargs")
			}
			for _, p := range row.Params {
				if _, ok := goTypes[p.Type]; !ok && row.Body == "" {
					fail(row, "parameter %s: a generated method cannot take a %s", p.Name, p.Type)
				}
			}
			if _, typ, _ := strings.Cut(row.Body, " "); row.Body != "" && (typ == "" || m.endpoints[0].verb != "POST") {
				fail(row, "a body is a POST's \"name Type\"")
			}
		}
		out = append(out, m)
	}
	for _, g := range table.Groups {
		if !slices.ContainsFunc(out, func(m *method) bool { return m.Group == g.Name }) {
			errs = append(errs, fmt.Errorf("group %s has no method", g.Name))
		}
	}
	return out, errors.Join(errs...)
}

// parseEndpoint reads "GET ticket/get?type=agent_config".
func parseEndpoint(s string) (endpoint, error) {
	verb, target, ok := strings.Cut(s, " ")
	if !ok || (verb != "GET" && verb != "POST") {
		return endpoint{}, fmt.Errorf("endpoint %q is not GET or POST path", s)
	}
	api, rawQuery, _ := strings.Cut(target, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return endpoint{}, fmt.Errorf("endpoint %q: %v", s, err)
	}
	return endpoint{verb: verb, api: api, query: q}, nil
}

// goTypes are the Go types of the parameters of generated methods.
var goTypes = map[table.Type]string{
	table.String:  "string",
	table.Int:     "int",
	table.Bool:    "bool",
	table.Strings: "[]string",
	table.Joined:  "[]string",
	table.Ints:    "[]int",
	table.IDs:     "[]int",
	table.Table:   "any",
	table.Value:   "any",
}

// goName is the Go name of a parameter: tag_id is tagID.
func goName(p table.Param) string {
	if p.Go != "" {
		return p.Go
	}
	parts := strings.Split(p.Name, "_")
	for i, w := range parts {
		switch {
		case i == 0:
		case w == "id" || w == "url":
			parts[i] = strings.ToUpper(w)
		case w == "ids":
			parts[i] = "IDs"
		default:
			parts[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(parts, "")
}

// wire is the parameter's name in WeCom's request.
func wire(p table.Param) string {
	if p.Wire != "" {
		return p.Wire
	}
	return p.Name
}

// luaDefault is the default of an optional parameter as a Lua literal, ""
// for none.
func luaDefault(p table.Param) (string, error) {
	switch d := p.Default; {
	case d == table.Required, d == table.Optional, d == table.ClientAgentID:
		return "", nil
	case d == "true" || d == "false":
		if p.Type != table.Bool {
			return "", fmt.Errorf("a boolean default for a %s", p.Type)
		}
		return d, nil
	case strings.HasPrefix(d, `"`):
		if p.Type != table.String && p.Type != table.IDs {
			return "", fmt.Errorf("a string default for a %s", p.Type)
		}
		var s string
		if err := json.Unmarshal([]byte(d), &s); err != nil {
			return "", fmt.Errorf("default %s: %v", d, err)
		}
		return d, nil
	default:
		var n json.Number
		if err := json.Unmarshal([]byte(d), &n); err != nil || (p.Type != table.Int) {
			return "", fmt.Errorf("default %s is not a Lua literal of a %s", d, p.Type)
		}
		return d, nil
	}
}

// luaType is the LuaLS type of a parameter.
func luaType(t table.Type) string {
	switch t {
	case table.Joined, table.Strings:
		return "string[]|string"
	case table.IDs:
		return "integer[]|integer|string"
	case table.Ints:
		return "integer[]|integer"
	case table.File:
		return "string|{filename: string, content: string}"
	case table.Value:
		return "string|number"
	}
	return string(t)
}

// docURL is the address of a method's official documentation.
func docURL(docs string) string {
	if strings.Contains(docs, "://") {
		return docs
	}
	return "https://developer.work.weixin.qq.com/document/path/" + docs
}
