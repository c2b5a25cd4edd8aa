package bindings

// chatGroup is the chat API group.
var chatGroup = group{}
