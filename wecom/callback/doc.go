// Package callback implements the receiving side of WeCom's callback
// protocol (回调), with which WeCom pushes events — a member created, a batch
// import finished, a message to an application — to an organisation's URL:
// the signature, the AES-256-CBC encryption, the XML envelope and the event
// XML itself. It knows nothing of HTTP servers, Lua or YAML.
//
// A callback is configured in the WeCom admin console with a URL, a Token and
// an EncodingAESKey; the receive id is the corp id (or the suite id of a
// service provider). WeCom then calls the URL:
//
//   - GET ?msg_signature=S&timestamp=T&nonce=N&echostr=E once, to verify the
//     URL: VerifyURL checks S and returns the plaintext of E, which is the
//     answer.
//   - POST ?msg_signature=S&timestamp=T&nonce=N with an XML envelope whose
//     Encrypt element holds the event: Open checks S and returns the event
//     XML, which ParseEvent reads.
//
// The signature is the hex SHA-1 of the token, timestamp, nonce and
// ciphertext sorted and concatenated. The ciphertext is base64 of AES-256-CBC
// (key: base64 of EncodingAESKey+"=", IV: the key's first 16 bytes) of
// 16 random bytes, the message length as 4 big-endian bytes, the message and
// the receive id, padded with PKCS#7 to a multiple of 32 bytes.
//
//	c, err := callback.New(token, encodingAESKey, corpID)
//	xml, err := c.Open(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
//	ev, err := callback.ParseEvent(xml)
//	if ev.Type() == "change_contact" && ev.Get("ChangeType") == "create_user" { ... }
//
// Seal encrypts a passive reply (被动回复) the other way.
//
// Parsing is bounded: an envelope larger than MaxBody, an event nested deeper
// than MaxDepth or with more than MaxElements elements is refused, and DOCTYPE
// declarations (the vehicle of entity-expansion bombs) are refused outright.
package callback
