package resume

import (
	"bytes"
	"compress/zlib"
	"encoding/ascii85"
	"io"
	"strconv"
)

// Bounds the guard enforces before the PDF parser sees a file.
const (
	maxPDFObjects  = 1 << 20 // cross-reference entries (the parser allocates a table this long)
	maxPDFColumns  = 1 << 16 // predictor row width (the parser allocates a row this long)
	maxPDFSections = 64      // cross-reference sections chained by /Prev
	maxXrefWidth   = 32      // bytes per cross-reference stream entry
)

// guardPDF rejects PDFs that would make github.com/ledongthuc/pdf allocate
// without bound or recurse without end (both fatal in Go, not panics), and PDFs
// whose compressed streams unpack to more than the limit. It reads the
// cross-reference sections the way the parser does (from startxref along
// /Prev), so it sees what the parser will see; where it does not understand a
// section it rejects the file rather than let the parser guess.
func guardPDF(j *job) error {
	g := &pdfGuard{data: j.data, limit: j.limits.MaxUnpackedBytes, inStream: map[uint32]bool{}}
	if err := g.scanHazards(j.data); err != nil {
		return err
	}
	if err := g.inflateAll(); err != nil {
		return err
	}
	if err := g.walkXref(); err != nil {
		return err
	}
	for _, stm := range g.streamRefs {
		if g.inStream[stm] {
			return errBroken("PDF") // an object stream inside an object stream: the parser would recurse forever
		}
	}
	return nil
}

type pdfGuard struct {
	data       []byte
	limit      int64
	unpacked   int64
	nextEOD    int             // position of the next ASCII85 end "~>" (-1: none left)
	inStream   map[uint32]bool // objects stored in object streams
	streamRefs []uint32        // the object streams they are stored in
}

// scanHazards checks b (the raw file or an unpacked stream) for the values the
// parser trusts without bound, wherever they are, since their dictionaries
// may be anywhere, even compressed:
//   - /Columns: a predictor row of that many bytes is allocated;
//   - /N: an object stream's object count, looped over;
//   - "n beginbfchar", "n beginbfrange": a ToUnicode CMap appends n entries,
//     whether or not they are there.
func (g *pdfGuard) scanHazards(b []byte) error {
	bad := false
	scanNames(b, func(name string, l *pdfLexer) bool {
		switch name {
		case "Columns":
			bad = !smallInt(l, maxPDFColumns)
		case "N":
			bad = !smallInt(l, maxPDFObjects)
		}
		return !bad
	})
	if bad || !cmapCountsSmall(b) {
		return errBroken("PDF")
	}
	return nil
}

// smallInt reports whether the next token is an integer in [0, max] (not the
// start of an indirect reference) or not an integer at all.
func smallInt(l *pdfLexer, max int64) bool {
	v := l.next()
	if v.kind != 'i' {
		return true
	}
	return v.num >= 0 && v.num <= max && !l.isRefTail()
}

// maxCMapBlock bounds the entries of one CMap block (the PDF spec says 100).
const maxCMapBlock = 1 << 16

// cmapCountsSmall checks that every beginbfchar and beginbfrange follows an
// integer literal of at most maxCMapBlock: the parser takes the count from its
// operand stack, which a name defined with def could also fill.
func cmapCountsSmall(b []byte) bool {
	for i := 0; ; {
		k := bytes.Index(b[i:], []byte("beginbf"))
		if k < 0 {
			return true
		}
		at := i + k
		i = at + 1
		if at > 0 && !isPDFSpace(b[at-1]) && !isPDFDelim(b[at-1]) {
			continue // inside a longer word
		}
		end := at
		for end > 0 && isPDFSpace(b[end-1]) {
			end--
		}
		start := end
		for start > 0 && end-start <= 20 && !isPDFSpace(b[start-1]) && !isPDFDelim(b[start-1]) {
			start--
		}
		n, err := strconv.ParseInt(string(b[start:end]), 10, 64)
		if err != nil || n > maxCMapBlock || (start > 0 && !isPDFSpace(b[start-1]) && !isPDFDelim(b[start-1])) {
			return false
		}
	}
}

// scanNames calls f for every name in b, wherever it is (inside streams and
// strings too), with a lexer positioned after it, until f returns false.
func scanNames(b []byte, f func(name string, l *pdfLexer) bool) {
	for i := 0; ; {
		k := bytes.IndexByte(b[i:], '/')
		if k < 0 {
			return
		}
		l := pdfLexer{b: b, pos: i + k}
		if t := l.next(); t.kind == 'n' && !f(t.text, &l) {
			return
		}
		i += k + 1
	}
}

// isRefTail reports whether the next tokens are "g R", i.e. the integer just
// read began an indirect reference.
func (l *pdfLexer) isRefTail() bool {
	save := l.pos
	defer func() { l.pos = save }()
	if g := l.next(); g.kind != 'i' {
		return false
	}
	r := l.next()
	return r.kind == 'k' && r.text == "R"
}

// inflateAll unpacks every Flate (optionally ASCII85-wrapped) stream, counting
// the unpacked bytes against the limit and checking the /Columns inside.
func (g *pdfGuard) inflateAll() error {
	for i := 0; ; {
		k := bytes.Index(g.data[i:], []byte("stream"))
		if k < 0 {
			return nil
		}
		at := i + k
		i = at + len("stream")
		if at >= 3 && string(g.data[at-3:at]) == "end" {
			continue
		}
		out, err := g.inflate(skipEOL(g.data, i))
		if err != nil {
			return err
		}
		if err := g.scanHazards(out); err != nil {
			return err
		}
	}
}

func skipEOL(b []byte, i int) int {
	if i < len(b) && b[i] == '\r' {
		i++
	}
	if i < len(b) && b[i] == '\n' {
		i++
	}
	return i
}

// inflate unpacks zlib data starting at data[start] (or ASCII85 then zlib);
// data that is neither yields nothing. The unpacked bytes count against the
// limit.
func (g *pdfGuard) inflate(start int) ([]byte, error) {
	b := g.data[start:]
	var src io.Reader = bytes.NewReader(b)
	if len(b) > 0 && b[0] != 0x78 { // not a zlib header: maybe ASCII85
		end := g.eodAfter(start)
		if end < 0 {
			return nil, nil
		}
		src = ascii85.NewDecoder(bytes.NewReader(g.data[start:end]))
	}
	zr, err := zlib.NewReader(src)
	if err != nil {
		return nil, nil
	}
	var out bytes.Buffer
	n, _ := io.Copy(&out, io.LimitReader(zr, g.limit-g.unpacked+1))
	g.unpacked += n
	if g.unpacked > g.limit {
		return nil, errZipBomb(g.limit)
	}
	return out.Bytes(), nil
}

// eodAfter returns the position of the first "~>" at or after start, or -1.
// Streams are visited in file order, so the search only moves forward and the
// whole scan stays linear in the file's size.
func (g *pdfGuard) eodAfter(start int) int {
	if g.nextEOD >= 0 && g.nextEOD < start {
		g.nextEOD = start + bytes.Index(g.data[start:], []byte("~>"))
		if g.nextEOD < start {
			g.nextEOD = -1
		}
	}
	return g.nextEOD
}
