package resume

import (
	"bytes"
	"compress/zlib"
	"io"
)

// walkXref follows the cross-reference sections from startxref along /Prev, as
// the parser does, and checks each one.
func (g *pdfGuard) walkXref() error {
	off, ok := g.startxref()
	if !ok {
		return nil // the parser rejects a file without startxref
	}
	seen := map[int64]bool{}
	for n := 0; off >= 0; n++ {
		if n >= maxPDFSections || seen[off] || off >= int64(len(g.data)) {
			return errBroken("PDF")
		}
		seen[off] = true
		l := &pdfLexer{b: g.data, pos: int(off)}
		var prev int64
		var err error
		switch t := l.next(); {
		case t.kind == 'k' && t.text == "xref":
			prev, err = g.xrefTable(l)
		case t.kind == 'i':
			prev, err = g.xrefStream(l)
		default:
			return nil // the parser rejects this section itself
		}
		if err != nil {
			return err
		}
		off = prev
	}
	return nil
}

// startxref finds the offset after the last "startxref" in the file's last 100
// bytes, where the parser looks for it.
func (g *pdfGuard) startxref() (int64, bool) {
	tail := g.data[max(0, len(g.data)-100):]
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, false
	}
	l := pdfLexer{b: tail, pos: i + len("startxref")}
	t := l.next()
	return t.num, t.kind == 'i'
}

// xrefTable checks a classic table's subsections and returns its trailer's /Prev
// (or -1).
func (g *pdfGuard) xrefTable(l *pdfLexer) (int64, error) {
	for {
		t := l.next()
		if t.kind != 'i' {
			break // "trailer", or something the parser rejects
		}
		n := l.next()
		if n.kind != 'i' || t.num < 0 || n.num < 0 || t.num+n.num > maxPDFObjects {
			return 0, errBroken("PDF")
		}
		for range 3 * n.num {
			l.next()
		}
	}
	if l.next().kind != '<' {
		return -1, nil
	}
	d, arrays := pdfDict{}, pdfArrays{}
	if !l.readDict("", d, arrays, 0) {
		return -1, nil
	}
	return prevOffset(d), nil
}

func prevOffset(d pdfDict) int64 {
	if p, ok := d["Prev"]; ok && p.kind == 'i' {
		return p.num
	}
	return -1
}

// xrefStream checks a cross-reference stream "n g obj << ... >> stream" and
// records which objects it places in which object streams.
func (g *pdfGuard) xrefStream(l *pdfLexer) (int64, error) {
	if gen := l.next(); gen.kind != 'i' {
		return -1, nil
	}
	if obj := l.next(); obj.text != "obj" || l.next().kind != '<' {
		return -1, nil
	}
	d, arrays := pdfDict{}, pdfArrays{}
	if !l.readDict("", d, arrays, 0) {
		return 0, errBroken("PDF")
	}
	if kw := l.next(); kw.text != "stream" {
		return -1, nil
	}
	if t := d["Type"]; t.kind != 'n' || t.text != "XRef" {
		return -1, nil
	}
	_, widths, index, err := xrefLayout(d, arrays)
	if err != nil {
		return 0, err
	}
	data, err := g.xrefData(d, g.data[skipEOL(g.data, l.pos):])
	if err != nil {
		return 0, err
	}
	g.recordEntries(data, widths, index)
	return prevOffset(d), nil
}

// xrefLayout validates /Size, /W and /Index of a cross-reference stream.
func xrefLayout(d pdfDict, arrays pdfArrays) (int64, []int64, []int64, error) {
	size := d["Size"]
	widths := arrays["W"]
	if size.kind != 'i' || size.num < 0 || size.num > maxPDFObjects || len(widths) < 3 {
		return 0, nil, nil, errBroken("PDF")
	}
	total := int64(0)
	for _, w := range widths {
		if w < 0 || w > 8 {
			return 0, nil, nil, errBroken("PDF")
		}
		total += w
	}
	index, ok := arrays["Index"]
	if !ok {
		index = []int64{0, size.num}
	}
	if total > maxXrefWidth || len(index)%2 != 0 {
		return 0, nil, nil, errBroken("PDF")
	}
	for i := 0; i < len(index); i += 2 {
		if index[i] < 0 || index[i+1] < 0 || index[i]+index[i+1] > maxPDFObjects {
			return 0, nil, nil, errBroken("PDF")
		}
	}
	return size.num, widths, index, nil
}

// xrefData decodes a cross-reference stream's data: uncompressed or Flate,
// without a predictor or with PNG Up (12), the only one the parser supports.
func (g *pdfGuard) xrefData(d pdfDict, raw []byte) ([]byte, error) {
	filter, hasFilter := d["Filter"]
	pred, hasPred := d["DecodeParms/Predictor"]
	switch {
	case !hasFilter:
		return raw, nil
	case filter.kind != 'n' || filter.text != "FlateDecode":
		return nil, errBroken("PDF")
	case hasPred && (pred.kind != 'i' || pred.num != 12):
		return nil, errBroken("PDF")
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, errBroken("PDF")
	}
	data, _ := io.ReadAll(io.LimitReader(zr, g.limit))
	if !hasPred {
		return data, nil
	}
	cols := d["DecodeParms/Columns"]
	if cols.kind != 'i' || cols.num < 1 || cols.num > maxPDFColumns {
		return nil, errBroken("PDF")
	}
	return undoPNGUp(data, int(cols.num)), nil
}

// undoPNGUp reverses the PNG Up predictor over rows of cols bytes (plus the
// filter-type byte); it stops at the first row that is not Up, as the parser does.
func undoPNGUp(data []byte, cols int) []byte {
	var out []byte
	prev := make([]byte, cols)
	for len(data) >= cols+1 && data[0] == 2 {
		for i := range cols {
			prev[i] += data[1+i]
		}
		out = append(out, prev...)
		data = data[cols+1:]
	}
	return out
}

// recordEntries notes every type-2 entry (object n is in object stream m).
func (g *pdfGuard) recordEntries(data []byte, widths, index []int64) {
	w := []int{int(widths[0]), int(widths[1]), int(widths[2])}
	entry := 0
	for _, x := range widths {
		entry += int(x)
	}
	for i := 0; i+1 < len(index); i += 2 {
		for k := int64(0); k < index[i+1]; k++ {
			if len(data) < entry || entry == 0 {
				return
			}
			typ := 1
			if w[0] > 0 {
				typ = decodeBE(data[:w[0]])
			}
			if typ == 2 {
				g.inStream[uint32(index[i]+k)] = true
				g.streamRefs = append(g.streamRefs, uint32(decodeBE(data[w[0]:w[0]+w[1]])))
			}
			data = data[entry:]
		}
	}
}

func decodeBE(b []byte) int {
	x := 0
	for _, c := range b {
		x = x<<8 | int(c)
	}
	return x
}
