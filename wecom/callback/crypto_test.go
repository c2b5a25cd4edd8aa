package callback

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// The official worked example of WeCom's documentation (path/91144, and the
// samples of its callback libraries).
const (
	officialToken  = "QDG6eK"
	officialKey    = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	officialCorpID = "wx5823bf96d3bd56c7"

	// URL verification.
	verifySignature = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	verifyTimestamp = "1409659589"
	verifyNonce     = "263014780"
	verifyEchostr   = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	verifyAnswer    = "1616140317555161061"

	// A text message posted to the application.
	messageSignature = "477715d11cdb4164915debcba66cb864d751f3e6"
	messageTimestamp = "1409659813"
	messageNonce     = "1372623149"
	messageBody      = `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`
)

func official(t testing.TB) *Crypto {
	t.Helper()
	c, err := New(officialToken, officialKey, officialCorpID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOfficialURLVerification(t *testing.T) {
	t.Parallel()
	if got := Signature(officialToken, verifyTimestamp, verifyNonce, verifyEchostr); got != verifySignature {
		t.Errorf("Signature = %s, want %s", got, verifySignature)
	}
	got, err := official(t).VerifyURL(verifySignature, verifyTimestamp, verifyNonce, verifyEchostr)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != verifyAnswer {
		t.Errorf("VerifyURL = %q, want %q", got, verifyAnswer)
	}
}

func TestOfficialMessage(t *testing.T) {
	t.Parallel()
	c := official(t)
	data, err := c.Open(messageSignature, messageTimestamp, messageNonce, []byte(messageBody))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := ParseEvent(data)
	if err != nil {
		t.Fatalf("ParseEvent(%q): %v", data, err)
	}
	want := map[string]string{
		"ToUserName": officialCorpID, "FromUserName": "mycreate", "CreateTime": "1409659813",
		"MsgType": "text", "Content": "hello", "MsgId": "4561255354251345929", "AgentID": "218",
	}
	for k, v := range want {
		if got := ev.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if len(ev) != len(want) {
		t.Errorf("event has %d fields, want %d: %v", len(ev), len(want), ev)
	}
	if ev.Type() != "text" || ev.Key() != "msg:4561255354251345929" {
		t.Errorf("Type, Key = %q, %q", ev.Type(), ev.Key())
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	c := official(t)
	for _, msg := range []string{"", "x", strings.Repeat("企", 100), "<xml><A>1</A></xml>", strings.Repeat("a", 31), strings.Repeat("a", 32)} {
		enc := c.Encrypt([]byte(msg))
		got, err := c.Decrypt(enc)
		if err != nil || string(got) != msg {
			t.Errorf("Decrypt(Encrypt(%q)) = %q, %v", msg, got, err)
		}
		raw, _ := base64.StdEncoding.DecodeString(enc)
		if len(raw)%32 != 0 {
			t.Errorf("ciphertext of %q is %d bytes, not a multiple of 32", msg, len(raw))
		}
	}
	if c.Encrypt([]byte("same")) == c.Encrypt([]byte("same")) {
		t.Error("two encryptions of a message are equal: the random prefix is missing")
	}
}

// TestEncryptReproducesOfficial rebuilds the official echostr from its own
// random prefix: Encrypt lays the plaintext out as WeCom does.
func TestEncryptReproducesOfficial(t *testing.T) {
	t.Parallel()
	c := official(t)
	data, _ := base64.StdEncoding.DecodeString(verifyEchostr)
	plain := make([]byte, len(data))
	copy(plain, data)
	cbcDecrypt(t, c, plain)
	var random [16]byte
	copy(random[:], plain)
	if got := c.encrypt(random, []byte(verifyAnswer)); got != verifyEchostr {
		t.Errorf("encrypt = %s, want %s", got, verifyEchostr)
	}
}

func TestSealUnseal(t *testing.T) {
	t.Parallel()
	c := official(t)
	reply := `<xml><ToUserName><![CDATA[mycreate]]></ToUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到]]></Content></xml>`
	body := c.Seal([]byte(reply), "1409659813", "1372623149")
	for _, part := range []string{"<Encrypt><![CDATA[", "<MsgSignature><![CDATA[", "<TimeStamp>1409659813</TimeStamp>", "<Nonce><![CDATA[1372623149]]></Nonce>"} {
		if !strings.Contains(string(body), part) {
			t.Errorf("sealed reply %s lacks %s", body, part)
		}
	}
	got, err := c.Unseal(body)
	if err != nil || string(got) != reply {
		t.Errorf("Unseal = %q, %v", got, err)
	}
	tampered := strings.Replace(string(body), "1409659813", "1409659814", 1)
	if _, err := c.Unseal([]byte(tampered)); !errors.Is(err, ErrSignature) {
		t.Errorf("Unseal(tampered timestamp) = %v, want ErrSignature", err)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	c := official(t)
	other, err := New(officialToken, officialKey, "ww0000000000000000")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := New(officialToken, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", officialCorpID)
	if err != nil {
		t.Fatal(err)
	}
	block := base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		name string
		err  error
		call func() error
	}{
		{"wrong signature", ErrSignature, func() error {
			_, err := c.Open(strings.Repeat("0", 40), messageTimestamp, messageNonce, []byte(messageBody))
			return err
		}},
		{"another timestamp", ErrSignature, func() error {
			_, err := c.Open(messageSignature, "1409659814", messageNonce, []byte(messageBody))
			return err
		}},
		{"another corp", ErrReceiveID, func() error {
			_, err := other.Open(messageSignature, messageTimestamp, messageNonce, []byte(messageBody))
			return err
		}},
		{"another key", ErrDecrypt, func() error {
			_, err := otherKey.Open(messageSignature, messageTimestamp, messageNonce, []byte(messageBody))
			return err
		}},
		{"not base64", ErrDecrypt, func() error { _, err := c.Decrypt("@@@@"); return err }},
		{"not whole blocks", ErrDecrypt, func() error { _, err := c.Decrypt(base64.StdEncoding.EncodeToString(make([]byte, 17))); return err }},
		{"empty", ErrDecrypt, func() error { _, err := c.Decrypt(""); return err }},
		{"garbage blocks", ErrDecrypt, func() error { _, err := c.Decrypt(block); return err }},
		{"not xml", ErrEnvelope, func() error { _, err := c.Open("", "", "", []byte("hello")); return err }},
		{"no Encrypt", ErrEnvelope, func() error {
			_, err := c.Open("", "", "", []byte("<xml><ToUserName>a</ToUserName></xml>"))
			return err
		}},
		{"too large", ErrTooLarge, func() error {
			_, err := c.Open("", "", "", []byte("<xml><Encrypt>"+strings.Repeat("A", MaxBody)+"</Encrypt></xml>"))
			return err
		}},
	}
	for _, tt := range tests {
		if err := tt.call(); !errors.Is(err, tt.err) {
			t.Errorf("%s: error %v, want %v", tt.name, err, tt.err)
		}
	}
}

func TestNewRefusesBadKeys(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"", "short", officialKey + "A", strings.Repeat("!", 43)} {
		_, err := New(officialToken, key, officialCorpID)
		if err == nil {
			t.Errorf("New(key %q) succeeded", key)
			continue
		}
		if key != "" && strings.Contains(err.Error(), key) {
			t.Errorf("the error %q shows the key", err)
		}
	}
	if _, err := New("", officialKey, officialCorpID); err == nil {
		t.Error("New with an empty token succeeded")
	}
}

// cbcDecrypt decrypts data in place with c's key.
func cbcDecrypt(t *testing.T, c *Crypto, data []byte) {
	t.Helper()
	if _, err := c.cipher.Open(data); err != nil {
		t.Fatal(err)
	}
}
