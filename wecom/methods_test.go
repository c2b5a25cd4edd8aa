package wecom

import (
	"reflect"
	"strings"
	"testing"
)

// TestEveryRequestIsInTheMethodTable calls every request builder of every
// service (XRequest) with zero arguments and checks that the method table
// knows its API, so that whether it reads (what a dry run sends, what a
// retry may replay) comes from the table and nowhere else.
func TestEveryRequestIsInTheMethodTable(t *testing.T) {
	t.Parallel()
	c := New(testCorpID, testSecret)
	services := reflect.ValueOf(c).Elem()
	builders := 0
	for i := range services.NumField() {
		svc := services.Field(i)
		if !services.Type().Field(i).IsExported() || svc.Kind() != reflect.Pointer || !strings.HasSuffix(svc.Type().Elem().Name(), "Service") {
			continue
		}
		for j := range svc.NumMethod() {
			name := svc.Type().Method(j).Name
			if !strings.HasSuffix(name, "Request") {
				continue
			}
			fn := svc.Method(j)
			args := make([]reflect.Value, fn.Type().NumIn())
			for k := range args {
				args[k] = zeroArg(fn.Type().In(k))
			}
			req := fn.Call(args)[0].Interface().(*Request)
			if _, ok := readAPIs[req.API]; !ok {
				t.Errorf("%s.%s: %s is not in the method table", svc.Type().Elem().Name(), name, req.API)
			}
			if req.Read {
				t.Errorf("%s.%s sets Read by hand", svc.Type().Elem().Name(), name)
			}
			builders++
		}
	}
	if builders < 70 {
		t.Errorf("found %d request builders, want all of them", builders)
	}
}

// zeroArg is a harmless argument of type t: a zero value, a pointer to one,
// or a text message for a Content.
func zeroArg(t reflect.Type) reflect.Value {
	switch {
	case t == reflect.TypeFor[Content]():
		return reflect.ValueOf(TextContent{})
	case t.Kind() == reflect.Pointer:
		return reflect.New(t.Elem())
	}
	return reflect.Zero(t)
}
