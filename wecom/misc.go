package wecom

// MiscService is the tools API group (工具类接口).
type MiscService service
