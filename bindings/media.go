package bindings

// mediaGroup is the media API group.
var mediaGroup = group{}
