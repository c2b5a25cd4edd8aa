// Package cbc is the symmetric encryption WeCom uses with an EncodingAESKey:
// AES-256-CBC whose key is the base64 of the EncodingAESKey plus "=", whose
// IV is the key's first 16 bytes, and whose plaintext is padded with PKCS#7
// to a multiple of 32 bytes (not AES's 16). The callback protocol (回调)
// encrypts its messages so, and the asynchronous exports (异步导出) their
// files. Its errors never contain a key or a plaintext.
package cbc

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
)

// PadBlock is the PKCS#7 block WeCom pads to: 32 bytes. Open also accepts
// the padding of AES's 16-byte blocks, which is valid PKCS#7 to 32 too.
const PadBlock = 32

// KeyLen is the length of an EncodingAESKey: 43 characters of base64.
const KeyLen = 43

// ErrDecrypt: the ciphertext is not a whole number of AES blocks, or it is
// badly padded (the wrong key, or damaged bytes).
var ErrDecrypt = errors.New("the data does not decrypt with the key")

// DecodeKey returns the 32-byte AES key of an EncodingAESKey: 43 characters
// of base64 without their padding.
func DecodeKey(encodingAESKey string) ([]byte, error) {
	if len(encodingAESKey) != KeyLen {
		return nil, fmt.Errorf("the EncodingAESKey has %d characters, not %d", len(encodingAESKey), KeyLen)
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("the EncodingAESKey is not 43 characters of base64")
	}
	return key, nil
}

// Cipher encrypts and decrypts with one key. It is safe for concurrent use.
type Cipher struct {
	block cipher.Block
	iv    []byte
}

// New returns the Cipher of a 32-byte key.
func New(key []byte) (*Cipher, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("the AES key has %d bytes, not 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &Cipher{block: block, iv: key[:aes.BlockSize]}, nil
}

// FromEncodingAESKey returns the Cipher of an EncodingAESKey.
func FromEncodingAESKey(encodingAESKey string) (*Cipher, error) {
	key, err := DecodeKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	return New(key)
}

// Seal pads plain and encrypts it in place: plain's capacity is used when it
// has room for the padding (up to PadBlock bytes). It returns the ciphertext.
func (c *Cipher) Seal(plain []byte) []byte {
	n := PadBlock - len(plain)%PadBlock
	for range n {
		plain = append(plain, byte(n))
	}
	cipher.NewCBCEncrypter(c.block, c.iv).CryptBlocks(plain, plain)
	return plain
}

// Open decrypts data in place and returns the plaintext without its
// padding, a prefix of data.
func (c *Cipher) Open(data []byte) ([]byte, error) {
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, ErrDecrypt
	}
	cipher.NewCBCDecrypter(c.block, c.iv).CryptBlocks(data, data)
	n := int(data[len(data)-1])
	if n < 1 || n > PadBlock || n > len(data) {
		return nil, ErrDecrypt
	}
	for _, b := range data[len(data)-n:] {
		if int(b) != n {
			return nil, ErrDecrypt
		}
	}
	return data[:len(data)-n], nil
}
