package codec

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// MetadataDataKey names the data key that encrypted a payload: the id of
// the workflow it belongs to. A payload without it was encrypted with a
// master key (the format before per-workflow keys, and what workflows
// without a key of their own still use).
const MetadataDataKey = "encryption-data-key"

// ErrKeyDestroyed is returned when a payload's data key was destroyed: the
// payload can never be decrypted again.
var ErrKeyDestroyed = errors.New("the data key was destroyed (erased)")

// KeyStore keeps wrapped data keys (see store.DataKey).
type KeyStore interface {
	// LoadDataKey returns a wrapped key and the master key id that
	// wrapped it; found is false when there is none, and a destroyed key
	// is found with a nil wrapped key.
	LoadDataKey(ctx context.Context, name string) (masterKeyID string, wrapped []byte, found bool, err error)
	// SaveDataKey stores a wrapped key unless one of that name exists.
	SaveDataKey(ctx context.Context, name, masterKeyID string, wrapped []byte) error
	// DestroyDataKey destroys a key for good.
	DestroyDataKey(ctx context.Context, name string) error
}

// keyCacheTTL bounds how long a process keeps an unwrapped data key: after
// an erasure in another process, this one can still use the key for at
// most this long.
const keyCacheTTL = time.Minute

// storeTimeout bounds one key store call (codecs get no context).
const storeTimeout = 10 * time.Second

// DataKeys gives each workflow that needs one a data key of its own,
// wrapped by the master key ring and kept in a KeyStore, so that
// destroying one key makes that workflow's history unreadable for good
// (crypto-shredding) while every other history stays readable.
type DataKeys struct {
	master *Keys
	store  KeyStore
	// PerWorkflow says which workflow ids get a key of their own.
	perWorkflow func(workflowID string) bool

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	aead cipher.AEAD
	at   time.Time
}

// NewDataKeys returns data keys wrapped by master and kept in store, for
// the workflows perWorkflow picks.
func NewDataKeys(master *Keys, store KeyStore, perWorkflow func(workflowID string) bool) *DataKeys {
	return &DataKeys{master: master, store: store, perWorkflow: perWorkflow, cache: map[string]cachedKey{}}
}

// wrapAD binds a wrapped key to its name.
func wrapAD(name string) []byte { return []byte("mianshi data key:" + name) }

// forEncode returns the key of name, making and storing one if there is
// none. A destroyed key is an error: nothing is encrypted for an erased
// workflow again.
func (d *DataKeys) forEncode(name string) (cipher.AEAD, error) {
	if aead, ok := d.cached(name); ok {
		return aead, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	aead, found, err := d.load(ctx, name)
	if err != nil || found {
		return aead, err
	}
	raw := make([]byte, keySize)
	rand.Read(raw)
	master := d.master.aeads[d.master.current]
	nonce := make([]byte, master.NonceSize())
	rand.Read(nonce)
	wrapped := master.Seal(nonce, nonce, raw, wrapAD(name))
	if err := d.store.SaveDataKey(ctx, name, d.master.current, wrapped); err != nil {
		return nil, err
	}
	// Another process may have saved first: use whichever key was kept.
	aead, found, err = d.load(ctx, name)
	if err == nil && !found {
		err = fmt.Errorf("data key %s was not kept", name)
	}
	return aead, err
}

// forDecode returns the key of name, or ErrKeyDestroyed.
func (d *DataKeys) forDecode(name string) (cipher.AEAD, error) {
	if aead, ok := d.cached(name); ok {
		return aead, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	aead, found, err := d.load(ctx, name)
	if err == nil && !found {
		err = fmt.Errorf("data key %s: %w", name, ErrKeyDestroyed)
	}
	return aead, err
}

func (d *DataKeys) cached(name string) (cipher.AEAD, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	k, ok := d.cache[name]
	if !ok || time.Since(k.at) > keyCacheTTL {
		delete(d.cache, name)
		return nil, false
	}
	return k.aead, true
}

// load reads and unwraps the key of name.
func (d *DataKeys) load(ctx context.Context, name string) (cipher.AEAD, bool, error) {
	masterID, wrapped, found, err := d.store.LoadDataKey(ctx, name)
	if err != nil || !found {
		return nil, false, err
	}
	if wrapped == nil {
		return nil, false, fmt.Errorf("data key %s: %w", name, ErrKeyDestroyed)
	}
	master, ok := d.master.aeads[masterID]
	if !ok {
		return nil, false, fmt.Errorf("data key %s is wrapped by master key %q, which is not in the key ring", name, masterID)
	}
	if len(wrapped) < master.NonceSize() {
		return nil, false, fmt.Errorf("data key %s is too short", name)
	}
	raw, err := master.Open(nil, wrapped[:master.NonceSize()], wrapped[master.NonceSize():], wrapAD(name))
	if err != nil {
		return nil, false, fmt.Errorf("unwrap data key %s: %w", name, err)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, false, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, false, err
	}
	d.mu.Lock()
	d.cache[name] = cachedKey{aead: aead, at: time.Now()}
	d.mu.Unlock()
	return aead, true, nil
}

// DestroyKey destroys the data key of a workflow for good and forgets it
// in this process.
func (d *DataKeys) DestroyKey(ctx context.Context, workflowID string) error {
	if err := d.store.DestroyDataKey(ctx, workflowID); err != nil {
		return err
	}
	d.mu.Lock()
	delete(d.cache, workflowID)
	d.mu.Unlock()
	return nil
}

// keyName returns the data key a serialization context asks for, or "".
func (d *DataKeys) keyName(sc converter.SerializationContext) string {
	var id string
	switch c := sc.(type) {
	case converter.WorkflowSerializationContext:
		id = c.WorkflowID
	case converter.ActivitySerializationContext:
		id = c.WorkflowID
	}
	if id == "" || !d.perWorkflow(id) {
		return ""
	}
	return id
}

func (c *AESGCM) encodeWithDataKey(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead, err := c.dataKeys.forEncode(c.keyName)
	if err != nil {
		return nil, fmt.Errorf("encode payload: %w", err)
	}
	return seal(aead, payloads, MetadataDataKey, c.keyName, []byte(c.keyName))
}

func (c *AESGCM) decodeWithDataKey(name string, p *commonpb.Payload) (*commonpb.Payload, error) {
	if c.dataKeys == nil {
		return nil, fmt.Errorf("decode payload: it needs data key %s and this codec has no key store", name)
	}
	aead, err := c.dataKeys.forDecode(name)
	if err != nil {
		return nil, fmt.Errorf("decode payload: %w", err)
	}
	data := p.GetData()
	if len(data) < aead.NonceSize() {
		return nil, errors.New("decode payload: ciphertext too short")
	}
	plain, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], []byte(name))
	if err != nil {
		return nil, fmt.Errorf("decode payload with data key %s: %w", name, err)
	}
	var decoded commonpb.Payload
	if err := proto.Unmarshal(plain, &decoded); err != nil {
		return nil, fmt.Errorf("decode payload: %w", err)
	}
	return &decoded, nil
}

// DataKeys returns the codec's data keys, nil without.
func (c *AESGCM) DataKeys() *DataKeys { return c.dataKeys }
