package resume

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// pageWriter turns one page's text operators into lines. The parser's own
// GetPlainText only breaks lines at BT and T*, so lines placed with Td or Tm
// inside one text object (as Word and LibreOffice write them) run together;
// this follows the text line matrix instead: a new baseline is a new line, a
// jump to the right on the same baseline is a space.
type pageWriter struct {
	page   pdf.Page
	out    *strings.Builder
	max    int
	fonts  map[string]pdf.TextEncoding
	enc    pdf.TextEncoding
	size   float64    // font size from Tf
	lm     [6]float64 // text line matrix a b c d e f
	leadY  float64    // leading from TL, for T*
	lastY  float64    // baseline of the last text written
	estX   float64    // estimated x where the last text ended
	anyOut bool
}

func newPageWriter(p pdf.Page, out *strings.Builder, max int) *pageWriter {
	return &pageWriter{page: p, out: out, max: max, fonts: map[string]pdf.TextEncoding{}, size: 1, lm: identity()}
}

func identity() [6]float64 { return [6]float64{1, 0, 0, 1, 0, 0} }

// write interprets the page's content streams.
func (w *pageWriter) write() {
	contents := w.page.V.Key("Contents")
	if contents.IsNull() {
		return
	}
	pdf.Interpret(contents, func(stk *pdf.Stack, op string) {
		args := make([]pdf.Value, stk.Len())
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		if w.out.Len() <= w.max {
			w.op(op, args)
		}
	})
}

func (w *pageWriter) op(op string, args []pdf.Value) {
	num := func(i int) float64 {
		if i < len(args) {
			return args[i].Float64()
		}
		return 0
	}
	switch op {
	case "BT":
		w.lm = identity()
	case "Tf":
		if len(args) == 2 {
			w.enc, w.size = w.font(args[0].Name()), math.Abs(num(1))
		}
	case "TL":
		w.leadY = num(0)
	case "Td", "TD":
		if op == "TD" {
			w.leadY = -num(1)
		}
		w.move(num(0), num(1))
	case "Tm":
		if len(args) == 6 {
			w.lm = [6]float64{num(0), num(1), num(2), num(3), num(4), num(5)}
		}
	case "T*":
		w.move(0, -w.leadY)
	case "'", "\"":
		w.move(0, -w.leadY)
		w.show(args[len(args)-1].RawString())
	case "Tj":
		if len(args) == 1 {
			w.show(args[0].RawString())
		}
	case "TJ":
		if len(args) == 1 {
			w.showArray(args[0])
		}
	}
}

// move applies Td: the new line matrix is translate(tx, ty) × lm.
func (w *pageWriter) move(tx, ty float64) {
	w.lm[4] += tx*w.lm[0] + ty*w.lm[2]
	w.lm[5] += tx*w.lm[1] + ty*w.lm[3]
}

func (w *pageWriter) font(name string) pdf.TextEncoding {
	if enc, ok := w.fonts[name]; ok {
		return enc
	}
	f := w.page.Font(name)
	enc := f.Encoder()
	w.fonts[name] = enc
	return enc
}

func (w *pageWriter) scale() float64 {
	return math.Max(w.size*math.Hypot(w.lm[2], w.lm[3]), 0.1)
}

// show decodes a string in the current font and writes it.
func (w *pageWriter) show(raw string) {
	if w.enc != nil && raw != "" {
		w.showText(w.enc.Decode(raw))
	}
}

// showText writes text at the current position, after a line break or a
// space when the position calls for one.
func (w *pageWriter) showText(text string) {
	x, y, em := w.lm[4], w.lm[5], w.scale()
	switch {
	case !w.anyOut:
	case math.Abs(y-w.lastY) > 0.5*em:
		w.out.WriteByte('\n')
	case x > w.estX+0.8*em || x < w.estX-8*em:
		w.out.WriteByte(' ')
	}
	w.out.WriteString(text)
	w.anyOut, w.lastY = true, y
	w.estX = x + 0.5*em*float64(utf8.RuneCountInString(text))
}

// showArray writes a TJ array: strings, with a space for a large negative
// adjustment (thousandths of an em).
func (w *pageWriter) showArray(v pdf.Value) {
	var text strings.Builder
	for i := 0; i < v.Len(); i++ {
		x := v.Index(i)
		switch x.Kind() {
		case pdf.String:
			if w.enc != nil {
				text.WriteString(w.enc.Decode(x.RawString()))
			}
		case pdf.Integer, pdf.Real:
			if x.Float64() < -250 {
				text.WriteByte(' ')
			}
		}
	}
	if text.Len() > 0 {
		w.showText(text.String())
	}
}
