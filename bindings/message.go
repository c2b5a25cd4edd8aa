package bindings

// messageGroup is the message API group.
var messageGroup = group{}
