package resume

import (
	"math"
	"strings"
	"sync/atomic"

	"github.com/ledongthuc/pdf"
)

// pageWriter turns one page's text operators into lines. It keeps the text
// state the way a PDF viewer does (text and line matrices, the current
// transformation matrix through q/Q/cm, font size, character and word
// spacing, horizontal scaling) and the glyph widths of each font, so it knows
// where each string starts and ends on the page: a new baseline is a new line,
// a gap wider than a fifth of the font size on the same baseline is a space
// (wider than 1.2 times the font size, a tab: a table's or layout's column),
// and text that continues where the last ended joins it (Chrome and Word
// split words into several strings when they kern).
type pageWriter struct {
	page  pdf.Page
	out   *strings.Builder
	max   int
	stop  *atomic.Bool // set when Extract has given up: the next operator ends the page
	ops   int
	fonts map[string]*pdfFont
	font  *pdfFont
	ts    textState
	gs    []matrix // saved CTMs (q/Q), bounded
	ctm   matrix
	tm    matrix // text matrix
	tlm   matrix // text line matrix

	anyOut bool
	lastY  float64 // device baseline of the last text written
	endX   float64 // device x where the last text ended
	lastEm float64 // device font size of the last text written
}

// textState holds the text parameters that survive BT/ET.
type textState struct {
	size    float64 // Tf
	charSp  float64 // Tc
	wordSp  float64 // Tw
	hScale  float64 // Tz / 100
	leading float64 // TL
}

// maxGraphicsDepth bounds q nesting; deeper saves are ignored.
const maxGraphicsDepth = 64

// matrix is a PDF transformation [a b c d e f].
type matrix [6]float64

func identity() matrix { return matrix{1, 0, 0, 1, 0, 0} }

// mul returns m × n (apply m, then n).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func newPageWriter(p pdf.Page, out *strings.Builder, max int, stop *atomic.Bool) *pageWriter {
	return &pageWriter{
		page: p, out: out, max: max, stop: stop, fonts: map[string]*pdfFont{},
		ts:  textState{size: 1, hScale: 1},
		ctm: identity(), tm: identity(), tlm: identity(),
	}
}

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
		if w.ops++; w.ops%256 == 0 && w.stop.Load() {
			panic(errStopped) // a page of many operators does not outlive the deadline
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
	case "q":
		if len(w.gs) < maxGraphicsDepth {
			w.gs = append(w.gs, w.ctm)
		}
	case "Q":
		if n := len(w.gs); n > 0 {
			w.ctm, w.gs = w.gs[n-1], w.gs[:n-1]
		}
	case "cm":
		if len(args) == 6 {
			w.ctm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}.mul(w.ctm)
		}
	case "BT":
		w.tm, w.tlm = identity(), identity()
	case "Tf":
		if len(args) == 2 {
			w.font, w.ts.size = w.fontNamed(args[0].Name()), num(1)
		}
	case "Tc":
		w.ts.charSp = num(0)
	case "Tw":
		w.ts.wordSp = num(0)
	case "Tz":
		w.ts.hScale = num(0) / 100
	case "TL":
		w.ts.leading = num(0)
	case "Td", "TD":
		if op == "TD" {
			w.ts.leading = -num(1)
		}
		w.move(num(0), num(1))
	case "Tm":
		if len(args) == 6 {
			w.tm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}
			w.tlm = w.tm
		}
	case "T*":
		w.move(0, -w.ts.leading)
	case "'", "\"":
		if op == "\"" && len(args) == 3 {
			w.ts.wordSp, w.ts.charSp = num(0), num(1)
		}
		w.move(0, -w.ts.leading)
		if len(args) > 0 {
			w.show(args[len(args)-1].RawString())
		}
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

// move applies Td: the new line matrix is translate(tx, ty) × Tlm.
func (w *pageWriter) move(tx, ty float64) {
	w.tlm = matrix{1, 0, 0, 1, tx, ty}.mul(w.tlm)
	w.tm = w.tlm
}

func (w *pageWriter) fontNamed(name string) *pdfFont {
	if f, ok := w.fonts[name]; ok {
		return f
	}
	f := newPDFFont(w.page.Font(name))
	w.fonts[name] = f
	return f
}

// device returns the device position of text space point (x, 0) and the
// device size of the font.
func (w *pageWriter) device(x float64) (dx, dy, em float64) {
	m := w.tm.mul(w.ctm)
	em = math.Abs(w.ts.size) * math.Hypot(m[2], m[3])
	return x*m[0] + m[4], x*m[1] + m[5], math.Max(em, 0.1)
}

// show writes a string in the current font and advances the text matrix.
func (w *pageWriter) show(raw string) {
	if w.font == nil || raw == "" {
		return
	}
	var text strings.Builder
	adv := 0.0
	for _, g := range w.font.decode(raw) {
		text.WriteString(g.text)
		a := g.advance*w.ts.size + w.ts.charSp
		if g.space {
			a += w.ts.wordSp
		}
		adv += a * w.ts.hScale
	}
	w.place(text.String(), adv)
}

// showArray shows a TJ array: strings, and numbers that move the next string
// left (positive) or right (negative) by thousandths of the font size.
func (w *pageWriter) showArray(v pdf.Value) {
	for i := 0; i < v.Len(); i++ {
		x := v.Index(i)
		switch x.Kind() {
		case pdf.String:
			w.show(x.RawString())
		case pdf.Integer, pdf.Real:
			w.advance(-x.Float64() / 1000 * w.ts.size * w.ts.hScale)
		}
	}
}

func (w *pageWriter) advance(tx float64) {
	w.tm = matrix{1, 0, 0, 1, tx, 0}.mul(w.tm)
}

// place writes text that starts at the current point and is adv text space
// units wide, after a line break or a space when its position calls for one,
// and moves the current point past it.
func (w *pageWriter) place(text string, adv float64) {
	x, y, em := w.device(0)
	endX, _, _ := w.device(adv)
	w.advance(adv)
	if strings.TrimSpace(text) == "" {
		return
	}
	switch {
	case !w.anyOut:
	case math.Abs(y-w.lastY) > 0.5*math.Min(em, w.lastEm):
		w.out.WriteByte('\n')
	case x > w.endX+1.2*math.Min(em, w.lastEm):
		w.out.WriteByte('\t') // a column's gap: a table cell, a date set right
	case x > w.endX+0.2*math.Min(em, w.lastEm):
		w.out.WriteByte(' ')
	case x < w.endX-2*em:
		w.out.WriteByte('\n') // back to the left on the same baseline: another column's line
	}
	w.out.WriteString(text)
	w.anyOut, w.lastY, w.endX, w.lastEm = true, y, endX, em
}
