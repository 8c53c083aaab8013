package resume

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// bombSize is the unpacked size of the test's document.xml.
const bombSize = 200 << 20

// deflatedBomb returns a Flate stream that unpacks to bombSize bytes of
// repeated XML (about 200 KiB packed) and the CRC of what it unpacks to. One
// MiB is compressed once and flushed, which makes its compressed form
// self-contained; repeating it and closing with an empty final block is a valid
// stream. (Compressing 200 MiB outright takes seconds under -race.)
func deflatedBomb(t *testing.T) ([]byte, uint32) {
	t.Helper()
	chunk := []byte(strings.Repeat("<w:p><w:r><w:t>aaaaaaaaaaaaaaaa</w:t></w:r></w:p>", 1<<20/48))
	var block bytes.Buffer
	fw, err := flate.NewWriter(&block, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(chunk)
	if err := fw.Flush(); err != nil {
		t.Fatal(err)
	}
	var packed bytes.Buffer
	crc := crc32.NewIEEE()
	for unpacked := 0; unpacked < bombSize; unpacked += len(chunk) {
		packed.Write(block.Bytes())
		crc.Write(chunk)
	}
	packed.Write([]byte{0x03, 0x00}) // final fixed-Huffman block holding only end-of-block
	return packed.Bytes(), crc.Sum32()
}

// rawZip writes one pre-compressed entry with the sizes it is told to declare.
func rawZip(t *testing.T, name string, packed []byte, crc uint32, declared uint64) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(packed)), UncompressedSize64: declared,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(packed); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDOCXZipBomb(t *testing.T) {
	packed, crc := deflatedBomb(t)
	if n, err := io.Copy(io.Discard, flate.NewReader(bytes.NewReader(packed))); err != nil || n < bombSize {
		t.Fatalf("the bomb unpacks to %d bytes (%v), want at least %d", n, err, bombSize)
	}
	tests := []struct {
		name     string
		declared uint64
	}{
		{"honest sizes", bombSize},
		{"declared size lies", 4096},
		{"declared size lies within the ratio", 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := rawZip(t, docxDocumentPart, packed, crc, tt.declared)
			before := allocated()
			_, err := Extract(context.Background(), FormatDOCX, data, DefaultLimits())
			assertCode(t, err, CodeZipBomb)
			if grew := allocated() - before; grew > 64<<20 {
				t.Fatalf("allocated %d MiB while rejecting a bomb", grew>>20)
			}
		})
	}
}

func TestDOCXDeclaredSizeOverLimit(t *testing.T) {
	doc := "<w:document><w:body>" + strings.Repeat("<w:p><w:r><w:t>x</w:t></w:r></w:p>", 4000) + "</w:body></w:document>"
	l := DefaultLimits()
	l.MaxUnpackedBytes = 64 << 10
	_, err := Extract(context.Background(), FormatDOCX, buildZip(t, [][2]string{{docxDocumentPart, doc}}), l)
	assertCode(t, err, CodeZipBomb)
}

// TestDOCXCountsBytesRead checks the counter on its own (archive/zip already
// stops at the declared size, so through a ZIP the counter is a second guard).
func TestDOCXCountsBytesRead(t *testing.T) {
	doc := "<w:document><w:body>" + strings.Repeat("<w:p><w:r><w:t>x</w:t></w:r></w:p>", 4000) + "</w:body></w:document>"
	l := DefaultLimits()
	j := &job{limits: l, stop: new(atomic.Bool)}
	if text, _, err := documentText(strings.NewReader(doc), j, l.MaxUnpackedBytes); err != nil || !strings.HasPrefix(text, "x\nx\n") {
		t.Fatalf("within the limit: %q, %v", text[:min(len(text), 10)], err)
	}
	_, n, err := documentText(strings.NewReader(doc), j, 64<<10)
	if n > 64<<10+1 {
		t.Fatalf("read %d bytes with a budget of %d", n, 64<<10)
	}
	assertCode(t, err, CodeZipBomb)
}

func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}
