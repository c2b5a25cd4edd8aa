package main

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wecomrunner/runner/wecom/internal/table"
)

// wecomFile is wecom/methods_gen.go: the read flags and dry-run answers of
// every API of the table, then the request builders and typed methods of
// the generated methods, group by group.
func wecomFile(methods []*method) []byte {
	var body bytes.Buffer
	w := func(format string, v ...any) { fmt.Fprintf(&body, format, v...) }

	reads := map[string]bool{}
	dryRuns := map[string]string{}
	for _, m := range methods {
		for _, e := range m.endpoints {
			reads[e.api] = m.Read
		}
		if m.DryRun != "" {
			dryRuns[m.endpoints[0].api] = m.DryRun
		}
	}
	goMap(&body, "readAPIs says, for every API of the method table, whether it is a read: a call that changes nothing in WeCom, which a dry run sends and a retry may replay.",
		"map[string]bool", reads, func(read bool) string { return fmt.Sprint(read) })
	goMap(&body, `dryRunAnswers are the members a dry run adds to its pretended success, by API. "$now" stands for the current Unix time and "$query.NAME" for a query parameter of the request.`,
		"map[string]string", dryRuns, func(answer string) string { return "`" + answer + "`" })

	for _, m := range methods {
		if !m.generated() {
			continue
		}
		w("\n")
		builder(&body, m)
		if m.Hand == table.Generated {
			w("\n")
			typedMethod(&body, m)
		}
	}

	var out bytes.Buffer
	out.WriteString(header)
	out.WriteString("package wecom\n\n")
	src := body.String()
	var imports []string
	for _, pkg := range []string{"context", "net/http", "net/url", "strconv", "strings"} {
		if strings.Contains(src, pkg[strings.LastIndex(pkg, "/")+1:]+".") {
			imports = append(imports, pkg)
		}
	}
	out.WriteString("import (\n")
	for _, pkg := range imports {
		fmt.Fprintf(&out, "\t%q\n", pkg)
	}
	out.WriteString(")\n\n")
	out.WriteString(src)
	return out.Bytes()
}

// builder writes the method's request builder. A GET sends the parameters
// in the query, a POST in a JSON body; optional parameters are sent when
// they are not their zero value.
func builder(b *bytes.Buffer, m *method) {
	e := m.endpoints[0]
	params, args := m.goParams()
	hasOptional := m.Body == "" && slices.ContainsFunc(m.Params, optional)
	doc := fmt.Sprintf("%sRequest is the request of %s (%s %s).", m.Go, m.Go, e.verb, e.api)
	if hasOptional {
		doc += " Optional arguments left at their zero value are left out."
	}
	b.WriteString(comment(doc))
	fmt.Fprintf(b, "func (s *%sService) %sRequest(%s) *Request {\n", m.group.Service, m.Go, strings.Join(params, ", "))

	// The values known in advance, fixed or required, make the literal.
	var entries []string
	entry := func(name, value string) string {
		if e.verb == "GET" {
			return fmt.Sprintf("%q: {%s}", name, value)
		}
		return fmt.Sprintf("%q: %s", name, value)
	}
	for _, k := range slices.Sorted(maps.Keys(e.query)) {
		entries = append(entries, entry(k, fmt.Sprintf("%q", e.query.Get(k))))
	}
	for _, p := range m.Params {
		if !optional(p) && m.Body == "" {
			entries = append(entries, entry(wire(p), encode(e, p.Type, goName(p))))
		}
	}
	method, name, field, literal := "http.MethodGet", "q", "Query", "url.Values{"+strings.Join(entries, ", ")+"}"
	switch {
	case m.Body != "":
		method, name, field, literal = "http.MethodPost", "body", "Body", args[0]
	case e.verb == "POST":
		method, name, field, literal = "http.MethodPost", "body", "Body", "map[string]any{"+strings.Join(entries, ", ")+"}"
	}
	fields := []string{"Method: " + method, fmt.Sprintf("API: %q", e.api)}
	switch {
	case hasOptional:
		fmt.Fprintf(b, "\t%s := %s\n", name, literal)
		for _, p := range m.Params {
			if optional(p) {
				value := encode(e, p.Type, goName(p))
				if e.verb == "GET" {
					fmt.Fprintf(b, "\tif %s {\n\t\tq.Set(%q, %s)\n\t}\n", isSet(p), wire(p), value)
				} else {
					fmt.Fprintf(b, "\tif %s {\n\t\tbody[%q] = %s\n\t}\n", isSet(p), wire(p), value)
				}
			}
		}
		fields = append(fields, field+": "+name)
	case len(entries) > 0 || e.verb == "POST":
		fields = append(fields, field+": "+literal)
	}
	if m.Result != "" {
		fields = append(fields, fmt.Sprintf("Result: %q", m.Result))
	}
	fmt.Fprintf(b, "\treturn &Request{%s}\n}\n", strings.Join(fields, ", "))
}

// goMap writes a map variable named by the first word of doc, its keys sorted.
func goMap[V any](b *bytes.Buffer, doc, typ string, m map[string]V, value func(V) string) {
	b.WriteString(comment(doc))
	fmt.Fprintf(b, "var %s = %s{\n", strings.Fields(doc)[0], typ)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(b, "\t%q: %s,\n", k, value(m[k]))
	}
	b.WriteString("}\n")
}

// optional reports whether p may be left out of the request.
func optional(p table.Param) bool {
	return p.Default != table.Required && p.Default != table.ClientAgentID
}

// isSet is the condition under which the optional p is sent.
func isSet(p table.Param) string {
	switch p.Type {
	case table.String:
		return goName(p) + ` != ""`
	case table.Int:
		return goName(p) + " != 0"
	case table.Bool:
		return goName(p)
	}
	return goName(p) + " != nil"
}

// encode is the Go expression that sends value, a p.Type, in e's query or body.
func encode(e endpoint, t table.Type, value string) string {
	if t == table.Joined {
		return "strings.Join(" + value + ", \"|\")"
	}
	if e.verb == "POST" {
		return value
	}
	switch t {
	case table.String:
		return value
	case table.Int:
		return "strconv.Itoa(" + value + ")"
	case table.Bool:
		return "strconv.FormatBool(" + value + ")"
	}
	panic(fmt.Sprintf("a %s cannot be sent in a query", t))
}

// typedMethod writes the method's typed Go method.
func typedMethod(b *bytes.Buffer, m *method) {
	params, args := m.goParams()
	req := fmt.Sprintf("s.%sRequest(%s)", m.Go, strings.Join(args, ", "))
	b.WriteString(comment(m.Go + " " + lowerFirst(m.Doc)))
	fmt.Fprintf(b, "//\n// WeCom API docs: %s\n", docURL(m.Docs))
	sig := fmt.Sprintf("func (s *%sService) %s(%s)", m.group.Service, m.Go, strings.Join(append([]string{"ctx context.Context"}, params...), ", "))
	switch res := m.GoResult; {
	case res == "":
		fmt.Fprintf(b, "%s error {\n\treturn s.client.Do(ctx, %s, nil)\n}\n", sig, req)
	case strings.HasPrefix(res, "*"):
		fmt.Fprintf(b, "%s (%s, error) {\n\treturn resultPtr[%s](ctx, s.client, %s)\n}\n", sig, res, res[1:], req)
	default:
		fmt.Fprintf(b, "%s (%s, error) {\n\treturn result[%s](ctx, s.client, %s)\n}\n", sig, res, res, req)
	}
}

// comment is text as a Go comment, wrapped at 80 columns.
func comment(text string) string {
	var b, line strings.Builder
	for _, word := range strings.Fields(text) {
		if line.Len() > 0 && len("// ")+utf8.RuneCountInString(line.String())+1+utf8.RuneCountInString(word) > 80 {
			b.WriteString("// " + line.String() + "\n")
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(word)
	}
	b.WriteString("// " + line.String() + "\n")
	return b.String()
}

// lowerFirst lowers the first letter of a sentence: "Reads a member." is
// "reads a member.".
func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}
