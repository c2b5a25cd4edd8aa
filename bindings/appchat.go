package bindings

// appchatGroup is the appchat API group.
var appchatGroup = group{}
