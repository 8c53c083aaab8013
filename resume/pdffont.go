package resume

import (
	"io"
	"strings"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
)

// Bounds on what one font may make the reader hold.
const (
	maxCMapEntries  = 1 << 16 // bfchar entries of one ToUnicode CMap
	maxCMapRanges   = 1 << 13 // bfrange ranges of one ToUnicode CMap (each code looks through them once)
	maxWidthEntries = 1 << 16 // widths read from one CID font's /W array
)

// pdfFont decodes the strings a page shows in one font into text and
// advances. The parser's own encoder ignores a font's ToUnicode map when the
// font also has an /Encoding dictionary, which is how Chrome writes its Type 3
// fonts (synthetic bold), and it knows no glyph widths, so word gaps can only
// be guessed; this reads both.
type pdfFont struct {
	toUnicode *toUnicodeMap    // nil: the font has none
	fallback  pdf.TextEncoding // the parser's encoder, for fonts without ToUnicode
	twoByte   bool             // a Type 0 (composite) font: codes of two bytes unless its CMap says otherwise
	widths    map[int]float64  // advance per code, in thousandths of text space
	missing   float64          // advance of a code not in widths
	scale     float64          // text space per width unit: 1/1000, or a Type 3 font's FontMatrix
}

// glyph is one decoded code: its text (possibly empty) and its advance in
// text space units at font size 1.
type glyph struct {
	text    string
	advance float64
	space   bool // the single-byte code 32, which word spacing applies to
}

func newPDFFont(f pdf.Font) *pdfFont {
	pf := &pdfFont{widths: map[int]float64{}, missing: 500, scale: 0.001}
	v := f.V
	if tu := v.Key("ToUnicode"); tu.Kind() == pdf.Stream {
		pf.toUnicode = readToUnicode(tu)
	}
	if pf.toUnicode == nil || pf.toUnicode.empty() {
		pf.toUnicode = nil
		pf.fallback = f.Encoder()
	}
	switch v.Key("Subtype").Name() {
	case "Type0":
		pf.twoByte = true
		pf.readCIDWidths(v.Key("DescendantFonts").Index(0))
	case "Type3":
		if m := v.Key("FontMatrix"); m.Len() == 6 && m.Index(0).Float64() != 0 {
			pf.scale = m.Index(0).Float64()
		}
		pf.readSimpleWidths(v)
	default:
		pf.readSimpleWidths(v)
	}
	return pf
}

// readSimpleWidths reads /FirstChar and /Widths, and /MissingWidth from the
// font descriptor.
func (pf *pdfFont) readSimpleWidths(v pdf.Value) {
	first := int(v.Key("FirstChar").Int64())
	w := v.Key("Widths")
	for i := 0; i < min(w.Len(), 256); i++ {
		pf.widths[first+i] = w.Index(i).Float64()
	}
	if mw := v.Key("FontDescriptor").Key("MissingWidth").Float64(); mw > 0 {
		pf.missing = mw
	} else if w.Len() > 0 && pf.scale != 0.001 {
		pf.missing = 0
	}
}

// readCIDWidths reads a CID font's /DW and /W: "c [w1 w2 …]" gives widths from
// c on, "c1 c2 w" one width for a range.
func (pf *pdfFont) readCIDWidths(cid pdf.Value) {
	pf.missing = 1000
	if dw := cid.Key("DW"); dw.Kind() == pdf.Integer || dw.Kind() == pdf.Real {
		pf.missing = dw.Float64()
	}
	w := cid.Key("W")
	n := 0
	for i := 0; i+1 < w.Len() && n < maxWidthEntries; {
		c := int(w.Index(i).Int64())
		if next := w.Index(i + 1); next.Kind() == pdf.Array {
			for k := 0; k < next.Len() && n < maxWidthEntries; k, n = k+1, n+1 {
				pf.widths[c+k] = next.Index(k).Float64()
			}
			i += 2
			continue
		}
		if i+2 >= w.Len() {
			return
		}
		last, width := int(w.Index(i+1).Int64()), w.Index(i+2).Float64()
		for k := c; k <= last && n < maxWidthEntries; k, n = k+1, n+1 {
			pf.widths[k] = width
		}
		i += 3
	}
}

// decode splits raw into codes and returns each code's text and advance.
func (pf *pdfFont) decode(raw string) []glyph {
	var out []glyph
	for len(raw) > 0 {
		n := pf.codeLen(raw)
		code := raw[:n]
		raw = raw[n:]
		g := glyph{advance: pf.width(codeValue(code)) * pf.scale, space: n == 1 && code[0] == ' '}
		switch {
		case pf.toUnicode != nil:
			g.text = pf.toUnicode.lookup(code)
		case pf.fallback != nil:
			g.text = pf.fallback.Decode(code)
		}
		out = append(out, g)
	}
	return out
}

func (pf *pdfFont) codeLen(raw string) int {
	if pf.toUnicode != nil {
		if n := pf.toUnicode.codeLen(raw); n > 0 {
			return n
		}
	}
	if pf.twoByte && len(raw) >= 2 {
		return 2
	}
	return 1
}

func (pf *pdfFont) width(code int) float64 {
	if w, ok := pf.widths[code]; ok {
		return w
	}
	return pf.missing
}

func codeValue(code string) int {
	v := 0
	for i := 0; i < len(code); i++ {
		v = v<<8 | int(code[i])
	}
	return v
}

// toUnicodeMap is a font's ToUnicode CMap: codespace ranges (which say how
// long each code is), single codes and ranges of codes.
type toUnicodeMap struct {
	spaces []codeRange
	chars  map[string]string
	ranges []unicodeRange
}

type codeRange struct{ lo, hi string }

type unicodeRange struct {
	lo, hi string
	dst    cmapItem // a UTF-16BE string for the first code, or an array of strings
}

func (m *toUnicodeMap) empty() bool { return len(m.chars) == 0 && len(m.ranges) == 0 }

// readToUnicode reads a ToUnicode CMap stream: its codespace ranges, bfchar
// and bfrange blocks, with hexadecimal strings as every writer writes them.
// It reads no more than maxCMapBytes of the stream.
func readToUnicode(stream pdf.Value) *toUnicodeMap {
	rc := stream.Reader()
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxCMapBytes))
	if err != nil {
		return nil
	}
	m := &toUnicodeMap{chars: map[string]string{}}
	for _, blk := range cmapBlocks(string(data)) {
		switch blk.kind {
		case "codespacerange":
			for i := 0; i+1 < len(blk.items); i += 2 {
				if lo, hi := blk.items[i].s, blk.items[i+1].s; lo != "" && len(lo) == len(hi) && len(lo) <= 4 {
					m.spaces = append(m.spaces, codeRange{lo, hi})
				}
			}
		case "bfchar":
			for i := 0; i+1 < len(blk.items) && len(m.chars) < maxCMapEntries; i += 2 {
				m.chars[blk.items[i].s] = utf16String(blk.items[i+1].s)
			}
		case "bfrange":
			for i := 0; i+2 < len(blk.items) && len(m.ranges) < maxCMapRanges; i += 3 {
				lo, hi := blk.items[i].s, blk.items[i+1].s
				if lo != "" && len(lo) == len(hi) && lo <= hi {
					m.ranges = append(m.ranges, unicodeRange{lo, hi, blk.items[i+2]})
				}
			}
		}
	}
	return m
}

// maxCMapBytes bounds the ToUnicode CMap read; a full Unicode font's is
// about 1 MiB.
const maxCMapBytes = 4 << 20

// cmapItem is a hexadecimal string, or an array of them (list).
type cmapItem struct {
	s    string
	list []string
}

type cmapBlock struct {
	kind  string
	items []cmapItem
}

// cmapBlocks finds the "beginX … endX" blocks of a CMap and the strings and
// arrays in them.
func cmapBlocks(s string) []cmapBlock {
	var out []cmapBlock
	for {
		i := strings.Index(s, "begin")
		if i < 0 {
			return out
		}
		s = s[i+len("begin"):]
		kind := s[:strings.IndexFunc(s+" ", func(r rune) bool { return r < 'a' || r > 'z' })]
		if kind != "codespacerange" && kind != "bfchar" && kind != "bfrange" {
			continue // begincmap and the like enclose the blocks
		}
		end := strings.Index(s, "end"+kind)
		if end < 0 {
			return out // each search moves past what it read, so the scan stays linear
		}
		out = append(out, cmapBlock{kind: kind, items: cmapItems(s[len(kind):end])})
		s = s[end:]
	}
}

func cmapItems(s string) []cmapItem {
	var items []cmapItem
	var list *cmapItem
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return items
			}
			h := hexString(s[i+1 : i+j])
			i += j
			if list != nil {
				list.list = append(list.list, h)
			} else {
				items = append(items, cmapItem{s: h})
			}
		case '[':
			list = &cmapItem{}
		case ']':
			if list != nil {
				items = append(items, *list)
				list = nil
			}
		}
	}
	return items
}

// hexString decodes PDF hexadecimal string content (spaces allowed, an odd
// last digit padded with 0).
func hexString(h string) string {
	var b []byte
	var hi byte
	odd := false
	for i := 0; i < len(h); i++ {
		v, ok := hexDigit(h[i])
		if !ok {
			continue
		}
		if odd {
			b = append(b, hi<<4|v)
		} else {
			hi = v
		}
		odd = !odd
	}
	if odd {
		b = append(b, hi<<4)
	}
	return string(b)
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// codeLen returns the length of the code at the start of raw by the
// codespace ranges, or 0 when none matches.
func (m *toUnicodeMap) codeLen(raw string) int {
	for n := 1; n <= 4 && n <= len(raw); n++ {
		for _, r := range m.spaces {
			if len(r.lo) == n && r.lo <= raw[:n] && raw[:n] <= r.hi {
				return n
			}
		}
	}
	return 0
}

// lookup returns the text of a code. A code found through the ranges is
// remembered with the single codes, so each distinct code (at most 2^16 of
// two bytes) searches the ranges once, however long the page.
func (m *toUnicodeMap) lookup(code string) string {
	if s, ok := m.chars[code]; ok {
		return s
	}
	s := m.lookupRange(code)
	if len(m.chars) < 4*maxCMapEntries {
		m.chars[code] = s
	}
	return s
}

func (m *toUnicodeMap) lookupRange(code string) string {
	for _, r := range m.ranges {
		if len(r.lo) != len(code) || code < r.lo || code > r.hi {
			continue
		}
		off := codeValue(code) - codeValue(r.lo)
		if r.dst.list != nil {
			if off < len(r.dst.list) {
				return utf16String(r.dst.list[off])
			}
			return ""
		}
		units := utf16Units(r.dst.s)
		if len(units) == 0 {
			return ""
		}
		units[len(units)-1] += uint16(off)
		return string(utf16.Decode(units))
	}
	return ""
}

func utf16Units(s string) []uint16 {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return u
}

// utf16String decodes a UTF-16BE string, dropping what is not text.
func utf16String(s string) string {
	return strings.Map(func(r rune) rune {
		if r == 0 || r == '\ufffd' {
			return -1
		}
		return r
	}, string(utf16.Decode(utf16Units(s))))
}
