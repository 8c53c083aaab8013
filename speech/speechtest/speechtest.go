// Package speechtest makes small audio files for tests of spoken answers.
package speechtest

import (
	"bytes"
	"encoding/binary"
	"time"
)

// WAV returns a mono 16-bit PCM WAV file of d of silence at rate samples
// a second.
func WAV(d time.Duration, rate int) []byte {
	const bytesPerSample = 2
	n := int(d.Seconds()*float64(rate)) * bytesPerSample
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + n))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1)) // PCM
	le(uint16(1)) // mono
	le(uint32(rate))
	le(uint32(rate * bytesPerSample))
	le(uint16(bytesPerSample))
	le(uint16(16))
	b.WriteString("data")
	le(uint32(n))
	b.Write(make([]byte, n))
	return b.Bytes()
}

// OggOpus returns the three pages of an Ogg Opus stream (head, tags, one
// audio page) whose last page ends at granule, with a pre-skip of 312.
func OggOpus(granule uint64) []byte {
	page := func(g uint64, body []byte) []byte {
		var b bytes.Buffer
		b.WriteString("OggS")
		b.Write([]byte{0, 0})
		binary.Write(&b, binary.LittleEndian, g)
		b.Write(make([]byte, 12))
		b.WriteByte(1)
		b.WriteByte(byte(len(body)))
		b.Write(body)
		return b.Bytes()
	}
	head := append([]byte("OpusHead\x01\x01"), 0x38, 0x01)
	head = append(head, make([]byte, 7)...)
	return append(append(page(0, head), page(0, []byte("OpusTags"))...), page(granule, []byte{0xfc})...)
}
