package resume

import "time"

// Limits bound the work and memory spent on one résumé.
type Limits struct {
	// MaxFileBytes is the largest accepted upload.
	MaxFileBytes int64
	// MaxTextBytes is how much normalised text is kept (cut at a rune boundary).
	MaxTextBytes int
	// MaxUnpackedBytes bounds decompressed data: a DOCX's document.xml and
	// page headers together, and the sum of a PDF's compressed streams.
	MaxUnpackedBytes int64
	// Timeout bounds one Extract call.
	Timeout time.Duration
}

// DefaultLimits returns the limits used by the API: 5 MiB files, 100 KiB of
// kept text, 20 MiB unpacked, 10 seconds.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:     5 << 20,
		MaxTextBytes:     100 << 10,
		MaxUnpackedBytes: 20 << 20,
		Timeout:          10 * time.Second,
	}
}

// withDefaults fills zero fields from DefaultLimits so a zero Limits is safe.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = d.MaxFileBytes
	}
	if l.MaxTextBytes <= 0 {
		l.MaxTextBytes = d.MaxTextBytes
	}
	if l.MaxUnpackedBytes <= 0 {
		l.MaxUnpackedBytes = d.MaxUnpackedBytes
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}
