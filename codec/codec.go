// Package codec encrypts Temporal payloads with AES-256-GCM, so that
// interview histories (answers, later résumés) are ciphertext to anyone
// without the key, while HR reads them in Temporal UI through the codec
// server endpoints the API serves.
//
// Keys have ids, so they can rotate: payloads record the id of the key that
// encrypted them; the first key of a key ring encrypts, every key decrypts.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Payload metadata the codec writes.
const (
	// Encoding marks an encrypted payload.
	Encoding = "binary/encrypted"
	// MetadataKeyID names the key that encrypted a payload.
	MetadataKeyID = "encryption-key-id"
)

// keySize is the size of an AES-256 key.
const keySize = 32

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Keys is a key ring: the first key encrypts, all of them decrypt.
type Keys struct {
	current string
	aeads   map[string]cipher.AEAD
}

// ParseKeys reads a key ring written as "id:base64key[,id:base64key…]",
// each key 32 bytes of standard base64. The first key encrypts.
func ParseKeys(spec string) (*Keys, error) {
	k := &Keys{aeads: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(strings.TrimSpace(spec), ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || !keyIDPattern.MatchString(id) {
			return nil, fmt.Errorf("codec key %d: want id:base64key with an id of letters, digits, '.', '_' or '-'", i+1)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != keySize {
			return nil, fmt.Errorf("codec key %q: want %d bytes in standard base64", id, keySize)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("codec key %q appears twice", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, fmt.Errorf("codec key %q: %w", id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("codec key %q: %w", id, err)
		}
		k.aeads[id] = aead
		if i == 0 {
			k.current = id
		}
	}
	return k, nil
}

// NewKeySpec returns a key ring spec with one new random key.
func NewKeySpec(id string) string {
	raw := make([]byte, keySize)
	rand.Read(raw)
	return id + ":" + base64.StdEncoding.EncodeToString(raw)
}

// LoadOrCreate reads the key ring in path, creating the file with one new
// key (readable by the owner only) when it does not exist. It is for
// development; production passes keys from a secret store.
func LoadOrCreate(path string) (*Keys, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create codec key file: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		switch {
		case err == nil:
			spec := NewKeySpec("k1")
			if _, err := f.WriteString(spec + "\n"); err != nil {
				f.Close()
				return nil, fmt.Errorf("write codec key file: %w", err)
			}
			if err := f.Close(); err != nil {
				return nil, fmt.Errorf("write codec key file: %w", err)
			}
			return ParseKeys(spec)
		case errors.Is(err, os.ErrExist):
			// Another process created it first.
			data, err = os.ReadFile(path)
		default:
			return nil, fmt.Errorf("create codec key file: %w", err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read codec key file: %w", err)
	}
	keys, err := ParseKeys(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, nil
}

// Current returns the id of the key that encrypts.
func (k *Keys) Current() string { return k.current }

// AESGCM is a Temporal PayloadCodec that encrypts each payload whole
// (data and metadata) with AES-256-GCM.
type AESGCM struct {
	keys *Keys
	// dataKeys, when set, gives interviews' workflows keys of their own;
	// keyName is the one this codec encrypts with (set by
	// WithSerializationContext), "" for the master key.
	dataKeys *DataKeys
	keyName  string
}

var (
	_ converter.PayloadCodec                         = (*AESGCM)(nil)
	_ converter.PayloadCodecWithSerializationContext = (*AESGCM)(nil)
)

// New returns the codec for a key ring.
func New(keys *Keys) *AESGCM { return &AESGCM{keys: keys} }

// WithDataKeys returns the codec that encrypts the workflows dk picks with
// their own data keys, and decrypts payloads of either kind.
func (c *AESGCM) WithDataKeys(dk *DataKeys) *AESGCM { return &AESGCM{keys: c.keys, dataKeys: dk} }

// WithSerializationContext returns the codec for one workflow's payloads:
// with its own data key where it has one. The SDK calls it with the
// workflow id for workflow, signal, query, update and activity payloads.
func (c *AESGCM) WithSerializationContext(sc converter.SerializationContext) converter.PayloadCodec {
	if c.dataKeys == nil {
		return c
	}
	name := c.dataKeys.keyName(sc)
	if name == c.keyName {
		return c
	}
	return &AESGCM{keys: c.keys, dataKeys: c.dataKeys, keyName: name}
}

// Encode encrypts payloads with the workflow's data key, or the current
// master key.
func (c *AESGCM) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	if c.keyName != "" {
		return c.encodeWithDataKey(payloads)
	}
	return seal(c.keys.aeads[c.keys.current], payloads, MetadataKeyID, c.keys.current, nil)
}

// seal encrypts each payload with aead under a fresh nonce, naming its key
// in the metadata field keyField; aad, when set, binds the ciphertext to it.
func seal(aead cipher.AEAD, payloads []*commonpb.Payload, keyField, keyName string, aad []byte) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encode payload: %w", err)
		}
		nonce := make([]byte, aead.NonceSize())
		rand.Read(nonce)
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(Encoding),
				keyField:                   []byte(keyName),
			},
			Data: aead.Seal(nonce, nonce, plain, aad),
		}
	}
	return out, nil
}

// Decode decrypts payloads this codec encrypted and passes others through.
func (c *AESGCM) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		if name := string(p.GetMetadata()[MetadataDataKey]); name != "" {
			decoded, err := c.decodeWithDataKey(name, p)
			if err != nil {
				return nil, err
			}
			out[i] = decoded
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		aead, ok := c.keys.aeads[id]
		if !ok {
			return nil, fmt.Errorf("decode payload: no key %q in the key ring", id)
		}
		data := p.GetData()
		if len(data) < aead.NonceSize() {
			return nil, errors.New("decode payload: ciphertext too short")
		}
		plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], nil)
		if err != nil {
			return nil, fmt.Errorf("decode payload with key %q: %w", id, err)
		}
		var decoded commonpb.Payload
		if err := proto.Unmarshal(plain, &decoded); err != nil {
			return nil, fmt.Errorf("decode payload: %w", err)
		}
		out[i] = &decoded
	}
	return out, nil
}

// DataConverter returns the default data converter with c applied, for
// clients and workers.
func DataConverter(c converter.PayloadCodec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter returns a failure converter that also encrypts error
// messages and stack traces, which can quote candidate text, with the
// workflow's own data key where it has one.
func FailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return &failureConverter{dc: dc, FailureConverter: defaultFailureConverter(dc)}
}

func defaultFailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{DataConverter: dc, EncodeCommonAttributes: true})
}

type failureConverter struct {
	dc converter.DataConverter
	converter.FailureConverter
}

// WithSerializationContext encodes failures with the data converter of
// the workflow they belong to.
func (f *failureConverter) WithSerializationContext(sc converter.SerializationContext) converter.FailureConverter {
	dc := converter.WithDataConverterSerializationContext(f.dc, sc)
	if dc == f.dc {
		return f
	}
	return &failureConverter{dc: dc, FailureConverter: defaultFailureConverter(dc)}
}
