package stream

import (
	"strconv"
	"strings"
)

// ID is a parsed Redis stream id, "<milliseconds>-<sequence>".
type ID struct {
	MS, Seq uint64
}

// ParseID parses a stream id. ok is false for anything else.
func ParseID(s string) (id ID, ok bool) {
	ms, seq, found := strings.Cut(s, "-")
	if !found {
		return ID{}, false
	}
	var err error
	if id.MS, err = strconv.ParseUint(ms, 10, 64); err != nil {
		return ID{}, false
	}
	if id.Seq, err = strconv.ParseUint(seq, 10, 64); err != nil {
		return ID{}, false
	}
	return id, true
}

// After reports whether id comes after other in the stream.
func (id ID) After(other ID) bool {
	return id.MS > other.MS || id.MS == other.MS && id.Seq > other.Seq
}

// String formats the id as Redis does.
func (id ID) String() string {
	return strconv.FormatUint(id.MS, 10) + "-" + strconv.FormatUint(id.Seq, 10)
}

// Later reports whether the stream id a comes after b. An id that does not
// parse counts as the start of the stream.
func Later(a, b string) bool {
	ia, _ := ParseID(a)
	ib, _ := ParseID(b)
	return ia.After(ib)
}
