package callback

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzOpen feeds arbitrary bodies and ciphertexts to the decryptor: it never
// panics, fails only with this package's errors, and what it opens was
// encrypted for the right receiver.
func FuzzOpen(f *testing.F) {
	c := official(f)
	f.Add([]byte(messageBody), messageSignature)
	f.Add([]byte("<xml><Encrypt>"+verifyEchostr+"</Encrypt></xml>"), "")
	f.Add([]byte("<xml><Encrypt>"+c.Encrypt([]byte("<xml><A>1</A></xml>"))+"</Encrypt></xml>"), "")
	f.Add([]byte("<xml><Encrypt>AAAA</Encrypt></xml>"), "")
	f.Add([]byte("<xml><Encrypt><![CDATA["+c.encrypt([16]byte{}, nil)+"]]></Encrypt></xml>"), "")
	f.Fuzz(func(t *testing.T, body []byte, signature string) {
		env, err := ParseEnvelope(body)
		if err != nil {
			if !errors.Is(err, ErrEnvelope) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("ParseEnvelope: unexpected error %v", err)
			}
			return
		}
		// With the right signature, Open reaches the decryption.
		sig := Signature(officialToken, "1", "2", env.Encrypt)
		msg, err := c.Open(sig, "1", "2", body)
		switch {
		case err == nil:
			again, err := c.Decrypt(c.Encrypt(msg))
			if err != nil || !bytes.Equal(again, msg) {
				t.Fatalf("re-encrypting an opened message: %q, %v", again, err)
			}
		case !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrReceiveID) && !errors.Is(err, ErrTooLarge):
			t.Fatalf("Open: unexpected error %v", err)
		}
		if signature != sig {
			if _, err := c.Open(signature, "1", "2", body); !errors.Is(err, ErrSignature) {
				t.Fatalf("Open with signature %q: %v, want ErrSignature", signature, err)
			}
		}
	})
}

// FuzzParseEvent feeds arbitrary XML to the event parser: it never panics,
// fails only with ErrEvent or ErrTooLarge, and an event it reads has a
// stable key and lists.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		createUser,
		`<xml><MsgId>1</MsgId></xml>`,
		`<xml><A>1</A><A>2</A><Item>x</Item><B><C/></B></xml>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>`,
		`<xml><Department>1,,x,2</Department><AddUserItems>a,b</AddUserItems></xml>`,
		`<xml><![CDATA[x]]></xml>`,
		`<?xml version="1.0" encoding="GBK"?><xml/>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := ParseEvent(data)
		if err != nil {
			if !errors.Is(err, ErrEvent) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if ev.Key() != ev.Key() {
			t.Fatal("the key is not stable")
		}
		ev.Lists()
		ev.Type()
	})
}
