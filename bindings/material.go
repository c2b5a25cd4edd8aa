package bindings

// materialGroup is the material API group.
var materialGroup = group{}
