package cbc

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// exampleKey is the EncodingAESKey of the official examples of the
// asynchronous exports (document/path/94849).
const exampleKey = "IJUiXNpvGbODwKEBSEsAeOAPAhkqHqNCF6g19t9wfg2"

func TestSealOpen(t *testing.T) {
	t.Parallel()
	c, err := FromEncodingAESKey(exampleKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 15, 16, 31, 32, 33, 1000} {
		plain := bytes.Repeat([]byte{'a'}, n)
		sealed := c.Seal(bytes.Clone(plain))
		if len(sealed)%PadBlock != 0 || len(sealed) <= n {
			t.Errorf("%d bytes sealed into %d, want a multiple of 32 above %d", n, len(sealed), n)
		}
		got, err := c.Open(sealed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%d bytes: Open = %q, %v", n, got, err)
		}
	}
}

// TestOpenIsStandardCBC: the ciphertext is AES-256-CBC with the key's first
// 16 bytes as IV, as any other implementation makes it.
func TestOpenIsStandardCBC(t *testing.T) {
	t.Parallel()
	key, err := base64.StdEncoding.DecodeString(exampleKey + "=")
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"userlist":[]}`)
	padded := append(bytes.Clone(plain), bytes.Repeat([]byte{17}, 17)...) // 15 + 17 = 32
	block, _ := aes.NewCipher(key)
	data := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(data, padded)
	c, _ := New(key)
	got, err := c.Open(bytes.Clone(data))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if sealed := c.Seal(bytes.Clone(plain)); !bytes.Equal(sealed, data) {
		t.Errorf("Seal differs from AES-256-CBC with PKCS#7 to 32 bytes")
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	c, _ := FromEncodingAESKey(exampleKey)
	other, _ := FromEncodingAESKey(strings.Repeat("A", 43))
	sealed := other.Seal([]byte("secret rows"))
	for name, data := range map[string][]byte{
		"empty":     nil,
		"not block": make([]byte, 17),
		"wrong key": sealed,
	} {
		if _, err := c.Open(bytes.Clone(data)); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: err = %v, want ErrDecrypt", name, err)
		}
	}
}

func TestDecodeKey(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"", "short", exampleKey + "A", strings.Repeat("*", 43)} {
		_, err := DecodeKey(k)
		if err == nil {
			t.Errorf("DecodeKey(%q) accepted", k)
		} else if k != "" && strings.Contains(err.Error(), k) {
			t.Errorf("the error shows the key: %v", err)
		}
	}
	if key, err := DecodeKey(exampleKey); err != nil || len(key) != 32 {
		t.Errorf("DecodeKey = %d bytes, %v", len(key), err)
	}
}
