package codec

import (
	"context"
	"sync"
)

// WrappedKey is a data key as a KeyStore keeps it: wrapped (encrypted)
// by the master key MasterKeyID.
type WrappedKey struct {
	MasterKeyID string `json:"master_key_id"`
	Wrapped     []byte `json:"wrapped"`
}

// KeyMap is a KeyStore in memory: for tests, and for replaying recorded
// histories whose keys were saved beside them.
type KeyMap struct {
	mu   sync.Mutex
	keys map[string]WrappedKey
}

var _ KeyStore = (*KeyMap)(nil)

// NewKeyMap returns a KeyMap holding keys (none when nil).
func NewKeyMap(keys map[string]WrappedKey) *KeyMap {
	m := &KeyMap{keys: map[string]WrappedKey{}}
	for name, k := range keys {
		m.keys[name] = k
	}
	return m
}

// LoadDataKey returns the key saved as name.
func (m *KeyMap) LoadDataKey(_ context.Context, name string) (string, []byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.keys[name]
	return k.MasterKeyID, k.Wrapped, ok, nil
}

// SaveDataKey saves a key unless one of that name exists.
func (m *KeyMap) SaveDataKey(_ context.Context, name, masterKeyID string, wrapped []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[name]; !ok {
		m.keys[name] = WrappedKey{MasterKeyID: masterKeyID, Wrapped: wrapped}
	}
	return nil
}

// DestroyDataKey leaves name with no key.
func (m *KeyMap) DestroyDataKey(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[name] = WrappedKey{}
	return nil
}
