package callback

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wecomrunner/runner/wecom/internal/cbc"
)

// The errors of VerifyURL, Open and Decrypt. Callers tell them apart with
// errors.Is; none of them contains the token, the key or the plaintext.
var (
	// ErrSignature: msg_signature does not match the token, timestamp, nonce
	// and ciphertext.
	ErrSignature = errors.New("callback: wrong signature")
	// ErrDecrypt: the ciphertext is not base64, not a whole number of AES
	// blocks, badly padded, or its plaintext is not laid out as WeCom's.
	ErrDecrypt = errors.New("callback: the message does not decrypt")
	// ErrReceiveID: the message is addressed to another receiver (another
	// corp's id).
	ErrReceiveID = errors.New("callback: the message is for another receiver")
	// ErrEnvelope: the POST body is not WeCom's XML envelope.
	ErrEnvelope = errors.New("callback: the body is not a callback envelope")
	// ErrTooLarge: the body or the event exceeds the limits of this package.
	ErrTooLarge = errors.New("callback: too large")
)

// Crypto signs, verifies, encrypts and decrypts the messages of one callback
// (one token, EncodingAESKey and receive id). It is safe for concurrent use.
type Crypto struct {
	token     string
	receiveID string
	cipher    *cbc.Cipher
}

// New returns the Crypto of a callback. encodingAESKey is the 43 characters
// of the admin console; receiveID is the corp id (or a suite id). An invalid
// key is an error that does not show the key.
func New(token, encodingAESKey, receiveID string) (*Crypto, error) {
	if token == "" {
		return nil, errors.New("callback: the token is empty")
	}
	key, err := DecodeKey(encodingAESKey)
	if err != nil {
		return nil, err
	}
	c, err := cbc.New(key)
	if err != nil {
		return nil, fmt.Errorf("callback: %w", err)
	}
	return &Crypto{token: token, receiveID: receiveID, cipher: c}, nil
}

// DecodeKey returns the 32-byte AES key of an EncodingAESKey: 43 characters
// of base64 without their padding.
func DecodeKey(encodingAESKey string) ([]byte, error) {
	key, err := cbc.DecodeKey(encodingAESKey)
	if err != nil {
		return nil, fmt.Errorf("callback: %w", err)
	}
	return key, nil
}

// Signature returns WeCom's msg_signature of a message: the hex SHA-1 of
// token, timestamp, nonce and the ciphertext, sorted and concatenated.
func Signature(token, timestamp, nonce, encrypted string) string {
	parts := []string{token, timestamp, nonce, encrypted}
	slices.Sort(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// Verify checks msg_signature against the timestamp, nonce and ciphertext,
// in constant time.
func (c *Crypto) Verify(signature, timestamp, nonce, encrypted string) error {
	want := Signature(c.token, timestamp, nonce, encrypted)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(signature)), []byte(want)) != 1 {
		return ErrSignature
	}
	return nil
}

// VerifyURL answers WeCom's URL verification (the GET of the callback URL):
// it checks the signature of echostr and returns its plaintext, which is
// what the URL must answer.
func (c *Crypto) VerifyURL(signature, timestamp, nonce, echostr string) ([]byte, error) {
	if err := c.Verify(signature, timestamp, nonce, echostr); err != nil {
		return nil, err
	}
	return c.Decrypt(echostr)
}

// Envelope is the XML body of a callback POST.
type Envelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	AgentID    string   `xml:"AgentID"`
	Encrypt    string   `xml:"Encrypt"`
}

// ParseEnvelope reads the XML body of a callback POST.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if len(body) > MaxBody {
		return env, fmt.Errorf("%w: a body of %d bytes, more than %d", ErrTooLarge, len(body), MaxBody)
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&env); err != nil {
		return env, fmt.Errorf("%w: %v", ErrEnvelope, err)
	}
	if env.Encrypt == "" {
		return env, fmt.Errorf("%w: no Encrypt element", ErrEnvelope)
	}
	return env, nil
}

// Open checks and decrypts the body of a callback POST and returns the
// event's XML.
func (c *Crypto) Open(signature, timestamp, nonce string, body []byte) ([]byte, error) {
	env, err := ParseEnvelope(body)
	if err != nil {
		return nil, err
	}
	if err := c.Verify(signature, timestamp, nonce, env.Encrypt); err != nil {
		return nil, err
	}
	return c.Decrypt(env.Encrypt)
}

// Decrypt returns the message of a ciphertext (an Encrypt element or an
// echostr) after checking that it is addressed to the Crypto's receive id.
func (c *Crypto) Decrypt(encrypted string) ([]byte, error) {
	msg, receiver, err := c.decrypt(encrypted)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(receiver), []byte(c.receiveID)) != 1 {
		return nil, ErrReceiveID
	}
	return msg, nil
}

// decrypt opens a ciphertext into its message and receive id.
func (c *Crypto) decrypt(encrypted string) (msg []byte, receiver string, err error) {
	if base64.StdEncoding.DecodedLen(len(encrypted)) > MaxBody {
		return nil, "", ErrTooLarge
	}
	data, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, "", ErrDecrypt
	}
	if data, err = c.cipher.Open(data); err != nil {
		return nil, "", ErrDecrypt
	}
	if len(data) < 20 {
		return nil, "", ErrDecrypt
	}
	size := binary.BigEndian.Uint32(data[16:20])
	rest := data[20:]
	if uint64(size) > uint64(len(rest)) {
		return nil, "", ErrDecrypt
	}
	return rest[:size], string(rest[size:]), nil
}

// Encrypt returns the ciphertext of msg for the Crypto's receive id, with 16
// fresh random bytes in front, as WeCom builds it.
func (c *Crypto) Encrypt(msg []byte) string {
	var random [16]byte
	rand.Read(random[:])
	return c.encrypt(random, msg)
}

func (c *Crypto) encrypt(random [16]byte, msg []byte) string {
	plain := make([]byte, 0, 20+len(msg)+len(c.receiveID)+cbc.PadBlock)
	plain = append(plain, random[:]...)
	plain = binary.BigEndian.AppendUint32(plain, uint32(len(msg)))
	plain = append(plain, msg...)
	plain = append(plain, c.receiveID...)
	return base64.StdEncoding.EncodeToString(c.cipher.Seal(plain))
}

// reply is the XML of an encrypted passive reply.
type reply struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      cdata    `xml:"Encrypt"`
	MsgSignature cdata    `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        cdata    `xml:"Nonce"`
}

type cdata struct {
	Text string `xml:",cdata"`
}

// Seal encrypts a passive reply (the XML a URL may answer to a message, e.g.
// a text reply) and returns the body to answer:
// <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>.
func (c *Crypto) Seal(msg []byte, timestamp, nonce string) []byte {
	enc := c.Encrypt(msg)
	out, _ := xml.Marshal(reply{
		Encrypt:      cdata{enc},
		MsgSignature: cdata{Signature(c.token, timestamp, nonce, enc)},
		TimeStamp:    timestamp,
		Nonce:        cdata{nonce},
	})
	return out
}

// Unseal checks and decrypts a passive reply made by Seal: the reverse, for
// tests and for WeCom's side of the exchange.
func (c *Crypto) Unseal(body []byte) ([]byte, error) {
	var r struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	if len(body) > MaxBody {
		return nil, ErrTooLarge
	}
	if err := xml.Unmarshal(body, &r); err != nil || r.Encrypt == "" {
		return nil, ErrEnvelope
	}
	if err := c.Verify(r.MsgSignature, r.TimeStamp, r.Nonce, r.Encrypt); err != nil {
		return nil, err
	}
	return c.Decrypt(r.Encrypt)
}
