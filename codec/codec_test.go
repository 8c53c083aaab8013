package codec_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/mianshi/mianshi/codec"
)

func mustKeys(t *testing.T, spec string) *codec.Keys {
	t.Helper()
	k, err := codec.ParseKeys(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTripHidesThePlaintext(t *testing.T) {
	c := codec.New(mustKeys(t, codec.NewKeySpec("k1")))
	dc := codec.DataConverter(c)
	const secret = "my answer mentions zebra-quokka-7731"
	p, err := dc.ToPayload(map[string]string{"text": secret})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte("zebra-quokka")) || string(p.Metadata[converter.MetadataEncoding]) != codec.Encoding {
		t.Fatalf("payload is not encrypted: %v", p)
	}
	var back map[string]string
	if err := dc.FromPayload(p, &back); err != nil || back["text"] != secret {
		t.Fatalf("round trip = %v, %v", back, err)
	}
}

func TestRotationDecryptsOldKeys(t *testing.T) {
	old := codec.NewKeySpec("2026-01")
	oldCodec := codec.New(mustKeys(t, old))
	encrypted, err := oldCodec.Encode([]*commonpb.Payload{{Data: []byte("hello")}})
	if err != nil {
		t.Fatal(err)
	}
	rotated := codec.New(mustKeys(t, codec.NewKeySpec("2026-06")+","+old))
	decrypted, err := rotated.Decode(encrypted)
	if err != nil || string(decrypted[0].Data) != "hello" {
		t.Fatalf("decode with the rotated ring = %v, %v", decrypted, err)
	}
	fresh, _ := rotated.Encode([]*commonpb.Payload{{Data: []byte("x")}})
	if id := string(fresh[0].Metadata[codec.MetadataKeyID]); id != "2026-06" {
		t.Errorf("new payloads use key %q, want the first of the ring", id)
	}
	stranger := codec.New(mustKeys(t, codec.NewKeySpec("other")))
	if _, err := stranger.Decode(encrypted); err == nil || !strings.Contains(err.Error(), "2026-01") {
		t.Errorf("decode without the key = %v, want an error naming the key", err)
	}
}

func TestTamperingIsDetected(t *testing.T) {
	c := codec.New(mustKeys(t, codec.NewKeySpec("k1")))
	enc, _ := c.Encode([]*commonpb.Payload{{Data: []byte("score: 3")}})
	enc[0].Data[len(enc[0].Data)-1] ^= 1
	if _, err := c.Decode(enc); err == nil {
		t.Error("a modified ciphertext decoded")
	}
}

func TestPlainPayloadsPassThrough(t *testing.T) {
	c := codec.New(mustKeys(t, codec.NewKeySpec("k1")))
	plain := &commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte("json/plain")}, Data: []byte(`"x"`)}
	out, err := c.Decode([]*commonpb.Payload{plain})
	if err != nil || out[0] != plain {
		t.Errorf("decode of a plain payload = %v, %v", out, err)
	}
}

func TestParseKeysRejectsBadSpecs(t *testing.T) {
	good := codec.NewKeySpec("k1")
	for _, spec := range []string{"", "k1", "k1:not-base64!", "k1:c2hvcnQ=", "bad id:" + strings.SplitN(good, ":", 2)[1], good + "," + good} {
		if _, err := codec.ParseKeys(spec); err == nil {
			t.Errorf("ParseKeys(%q) accepted a bad spec", spec)
		}
	}
}

func TestLoadOrCreateKeepsTheKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "codec-keys")
	first, err := codec.LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", info.Mode(), err)
	}
	enc, _ := codec.New(first).Encode([]*commonpb.Payload{{Data: []byte("kept")}})
	second, err := codec.LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := codec.New(second).Decode(enc); err != nil || string(out[0].Data) != "kept" {
		t.Errorf("a reloaded key ring cannot decrypt what the first wrote: %v", err)
	}
}
