package speech

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"mime"
	"strings"
	"time"
)

// Format is a kind of audio a browser records and an endpoint takes.
type Format string

// The formats accepted: what MediaRecorder writes (WebM or Ogg with Opus
// in Chromium and Firefox, MP4 with AAC in Safari) and plain WAV.
const (
	WebM Format = "webm"
	Ogg  Format = "ogg"
	WAV  Format = "wav"
	MP4  Format = "mp4"
)

// Ext is the file name extension an endpoint recognises the format by.
func (f Format) Ext() string {
	if f == MP4 {
		return "m4a"
	}
	return string(f)
}

// ContentType is the format's media type.
func (f Format) ContentType() string { return "audio/" + string(f) }

// contentTypes maps the media types clients send to formats.
var contentTypes = map[string]Format{
	"audio/webm": WebM, "video/webm": WebM,
	"audio/ogg": Ogg, "application/ogg": Ogg, "audio/opus": Ogg,
	"audio/wav": WAV, "audio/x-wav": WAV, "audio/wave": WAV, "audio/vnd.wave": WAV,
	"audio/mp4": MP4, "audio/m4a": MP4, "audio/x-m4a": MP4, "video/mp4": MP4,
}

// AcceptedTypes lists the media types Detect accepts, for messages.
const AcceptedTypes = "audio/webm, audio/ogg, audio/wav or audio/mp4"

// UnsupportedError says why an upload is not audio this package takes.
type UnsupportedError struct{ Reason string }

func (e *UnsupportedError) Error() string { return e.Reason }

// Detect returns the format of data, sent with the media type
// contentType. The bytes decide: a declared type (codecs parameters
// aside) must be an accepted one and agree with them; an empty or
// application/octet-stream type leaves it to the bytes alone.
func Detect(contentType string, data []byte) (Format, error) {
	sniffed, ok := sniff(data)
	declared := Format("")
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt != "application/octet-stream" {
		if declared, ok = contentTypes[strings.ToLower(mt)]; !ok {
			return "", &UnsupportedError{fmt.Sprintf("%s is not a recording this server takes; send %s", mt, AcceptedTypes)}
		}
	} else if contentType != "" && err != nil {
		return "", &UnsupportedError{fmt.Sprintf("the content type %q cannot be read; send %s", contentType, AcceptedTypes)}
	}
	switch {
	case sniffed == "":
		return "", &UnsupportedError{"the file is not WebM, Ogg, WAV or MP4 audio"}
	case declared != "" && declared != sniffed:
		return "", &UnsupportedError{fmt.Sprintf("the file says it is %s but holds %s", declared, sniffed)}
	}
	return sniffed, nil
}

func sniff(data []byte) (Format, bool) {
	switch {
	case bytes.HasPrefix(data, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return WebM, true
	case bytes.HasPrefix(data, []byte("OggS")):
		return Ogg, true
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WAVE":
		return WAV, true
	case len(data) >= 8 && string(data[4:8]) == "ftyp":
		return MP4, true
	}
	return "", false
}

// Duration returns how long a recording lasts where its container says so
// without decoding (WAV from its header, Ogg Opus and Vorbis from the last
// page's granule position), and false where it does not (WebM from
// MediaRecorder carries no duration; MP4 is not parsed).
func Duration(f Format, data []byte) (time.Duration, bool) {
	switch f {
	case WAV:
		return wavDuration(data)
	case Ogg:
		return oggDuration(data)
	}
	return 0, false
}

func wavDuration(data []byte) (time.Duration, bool) {
	var byteRate uint32
	for off := 12; off+8 <= len(data); {
		id, size := string(data[off:off+4]), binary.LittleEndian.Uint32(data[off+4:off+8])
		body := off + 8
		switch {
		case id == "fmt " && size >= 16 && body+16 <= len(data):
			byteRate = binary.LittleEndian.Uint32(data[body+8 : body+12])
		case id == "data" && byteRate > 0:
			// A streamed WAV may leave the size unset (0 or all ones):
			// the rest of the file is the data then.
			n := uint64(size)
			if rest := uint64(len(data) - body); n == 0 || n > rest {
				n = rest
			}
			return time.Duration(n * uint64(time.Second) / uint64(byteRate)), true
		}
		off = body + int(size) + int(size&1)
	}
	return 0, false
}

func oggDuration(data []byte) (time.Duration, bool) {
	const header = 27
	if len(data) < header || int(header+data[26]) > len(data) {
		return 0, false
	}
	first := data[header+int(data[26]):]
	var rate, skip uint64
	switch {
	case bytes.HasPrefix(first, []byte("OpusHead")) && len(first) >= 12:
		rate, skip = 48000, uint64(binary.LittleEndian.Uint16(first[10:12]))
	case bytes.HasPrefix(first, []byte("\x01vorbis")) && len(first) >= 16:
		rate = uint64(binary.LittleEndian.Uint32(first[12:16]))
	}
	last := bytes.LastIndex(data, []byte("OggS"))
	if rate == 0 || last < 0 || last+14 > len(data) {
		return 0, false
	}
	granule := binary.LittleEndian.Uint64(data[last+6 : last+14])
	if granule == ^uint64(0) || granule < skip {
		return 0, false
	}
	samples := granule - skip
	if samples/rate > uint64(24*time.Hour/time.Second) {
		return 24 * time.Hour, true // a crafted position: long enough to refuse
	}
	return time.Duration(samples * uint64(time.Second) / rate), true
}
