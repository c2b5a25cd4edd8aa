// Package table is the one table of the WeCom API methods the runner offers:
// for each, its Lua and Go names, its HTTP method and path, whether it reads
// or writes, its parameters and what it returns. It is data only; the
// generator (wecom/internal/gen, run by go generate in wecom/) turns it into
// the request builders and typed methods of package wecom, the parameter
// specs and Lua functions of package bindings, and the README's method list.
//
// A plain method is one row here plus its emulator handler and tests. A
// method with real logic (a composite helper, an upload, a download, a
// value computed locally) is marked Hand: its row still gives its
// parameters, documentation and endpoints, and the code is written by hand.
package table

// Group is an API group: a field of the Lua module wecom and a service of
// the Go client.
type Group struct {
	Name    string // the Lua name: "user"
	Service string // the Go service: "User" for UserService and Client.User
	Title   string // the title in WeCom's documentation: "成员管理"
	Legacy  bool   // an API of WeCom's predecessor 企业号 that WeCom no longer develops
}

// Method is one function of an API group.
type Method struct {
	Group string // the group's Lua name
	Name  string // wechatpy 1.8's name, the Lua function: "add_users"
	Go    string // the Go method of the group's service: "AddUsers"; its request builder is AddUsersRequest
	// HTTP is the endpoint: "POST tag/addtagusers", or with a fixed query
	// "GET ticket/get?type=agent_config". A method that calls several lists
	// them separated by ", "; one that calls none (a local computation) has "".
	HTTP string
	// Read marks a method that changes nothing in WeCom: a dry run sends it,
	// and a call whose outcome is unknown may be sent again.
	Read bool
	Doc  string // one sentence: what it does, with the documentation's title
	// Docs is the official documentation: a path number of
	// developer.work.weixin.qq.com/document/path/, or a full URL.
	Docs   string
	Params []Param
	// Kwargs describes the other named arguments the method passes on
	// (wechatpy's **kwargs); "" for a method that takes none.
	Kwargs string
	// Result is the member of WeCom's answer that wechatpy returns
	// ("taglist"); "" for the whole answer.
	Result string
	// GoResult is the Go type of the typed method's result ("*TagChange",
	// "[]Tag", "string"); "" for a method that returns only an error.
	GoResult string
	// LuaResult is the LuaLS type of the Lua function's result; "" for
	// "table".
	LuaResult string
	// DryRun is a JSON object of the members a dry run adds to its pretended
	// success {"errcode":0,"errmsg":"ok (dry run)"}. "$now" stands for the
	// current Unix time and "$query.NAME" for the request's query parameter.
	DryRun string
	// Body, for a POST whose Go request builder takes the whole body as one
	// value, is that parameter: "settings *AgentSettings". The Lua function,
	// which makes the body from the parameters, is then written by hand.
	Body string
	Hand Hand
	// Span, when set, bounds the time range of two of the parameters as
	// WeCom documents it; the Lua function checks it before the call.
	Span *Span
}

// Span is a time range given by two integer parameters (Unix seconds):
// To must not be before From, and at most Days days after it.
type Span struct {
	From, To string // the parameters' names
	Days     int
}

// Hand says which parts of a method are written by hand.
type Hand int

const (
	// Generated: the request builder, the typed Go method and the Lua
	// function are generated from the row.
	Generated Hand = iota
	// HandMethod: the typed Go method is written by hand (it decodes a
	// member, or takes fewer arguments than the request); the request
	// builder and the Lua function are generated.
	HandMethod
	// HandWritten: the method has real logic and is written by hand: the Go
	// side in the group's file, the Lua function as <group><Name> in
	// bindings (userAllIDs for user.all_ids).
	HandWritten
)

// Param is one parameter of a method.
type Param struct {
	Name string // wechatpy's name, the Lua parameter: "tag_id"
	Wire string // WeCom's name in the query or the body: "tagid"; "" when the same as Name
	Type Type
	// Default is the Lua value taken when the argument is left out, as a
	// Lua literal ("0", "true", `"详情"`, "nil" for none); Required for a
	// parameter that must be given, ClientAgentID for an agent id that
	// defaults to the client's.
	Default string
	Doc     string // what it means, from wechatpy's documentation or the official API's
	Go      string // the Go parameter's name; "" derives it from Name (tag_id: tagID)
	// Max, for a list, is the most items WeCom takes in one call; the Lua
	// function checks it (and that a required list is not empty) before the
	// call. 0 for no limit.
	Max int
}

// The defaults of Param that are not Lua values.
const (
	Required      = ""
	Optional      = "nil"
	ClientAgentID = "agent_id" // the client's agent id; an error when it has none
)

// Type is the Lua type of a parameter and how it is sent.
type Type string

const (
	String  Type = "string"   // a string; a number is taken as its decimal form
	Int     Type = "integer"  // an integer; a numeric string is accepted
	Bool    Type = "boolean"  // a boolean; 0 and 1 are accepted
	Strings Type = "string[]" // an array of strings, or one string; sent as a JSON array
	Joined  Type = "joined"   // an array of strings or a '|'-joined string; sent '|'-joined
	Ints    Type = "integer[]"
	IDs     Type = "ids"   // an array of integer ids, one id, or a '|'-joined string ("2|3")
	Table   Type = "table" // a table passed on as JSON (a message, a menu)
	File    Type = "file"  // a path inside the allowed directories, or {filename = ..., content = ...}
	Value   Type = "value" // a string or a number, sent with its Lua type
)
