package resume

import (
	"bytes"
	"strconv"
)

// pdfToken is one token of the small PDF lexer used by the guard.
type pdfToken struct {
	kind byte   // 'i' integer, 'n' name, 'k' keyword, '[' ']' '<' (<<) '>' (>>), 's' string, 0 end
	text string // name (with #xx decoded) or keyword
	num  int64  // integer value, saturated
}

// pdfLexer reads PDF tokens from b starting at pos. It understands just enough
// (names, integers, strings, comments, dictionaries, arrays) to read
// dictionaries the way the PDF parser does.
type pdfLexer struct {
	b   []byte
	pos int
}

func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0
}

func isPDFDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func (l *pdfLexer) next() pdfToken {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		switch {
		case isPDFSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
		default:
			return l.token(c)
		}
	}
	return pdfToken{}
}

func (l *pdfLexer) token(c byte) pdfToken {
	switch c {
	case '/':
		l.pos++
		return pdfToken{kind: 'n', text: decodePDFName(l.regular())}
	case '[', ']':
		l.pos++
		return pdfToken{kind: c}
	case '<', '>':
		if l.pos+1 < len(l.b) && l.b[l.pos+1] == c {
			l.pos += 2
			return pdfToken{kind: c}
		}
		if c == '<' {
			l.skipUntil('>')
			return pdfToken{kind: 's'}
		}
		l.pos++
		return pdfToken{kind: 'k', text: ">"}
	case '(':
		l.skipString()
		return pdfToken{kind: 's'}
	}
	word := l.regular()
	if word == "" {
		l.pos++
		return pdfToken{kind: 'k', text: string(c)}
	}
	if n, err := strconv.ParseInt(word, 10, 64); err == nil {
		return pdfToken{kind: 'i', num: n}
	} else if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return pdfToken{kind: 'i', num: 1 << 62}
	}
	return pdfToken{kind: 'k', text: word}
}

func (l *pdfLexer) regular() string {
	start := l.pos
	for l.pos < len(l.b) && !isPDFSpace(l.b[l.pos]) && !isPDFDelim(l.b[l.pos]) {
		l.pos++
	}
	return string(l.b[start:l.pos])
}

func (l *pdfLexer) skipUntil(c byte) {
	if i := bytes.IndexByte(l.b[l.pos:], c); i >= 0 {
		l.pos += i + 1
		return
	}
	l.pos = len(l.b)
}

func (l *pdfLexer) skipString() {
	depth := 0
	for ; l.pos < len(l.b); l.pos++ {
		switch l.b[l.pos] {
		case '\\':
			l.pos++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				l.pos++
				return
			}
		}
	}
}

// decodePDFName decodes #xx escapes in a name, as PDF readers do.
func decodePDFName(s string) string {
	if !bytes.Contains([]byte(s), []byte("#")) {
		return s
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return string(out)
}

// pdfDict is the part of a dictionary the guard needs: integers, names and
// integer arrays by key, with nested dictionaries flattened into the same map
// under "Parent/Key".
type pdfDict map[string]pdfToken

// pdfArrays holds the integer arrays of a dictionary by key.
type pdfArrays map[string][]int64

// readDict reads a dictionary whose "<<" was just consumed, up to depth levels.
func (l *pdfLexer) readDict(prefix string, d pdfDict, arrays pdfArrays, depth int) bool {
	if depth > 8 {
		return false
	}
	for {
		key := l.next()
		switch key.kind {
		case '>':
			return true
		case 'n':
		default:
			return false
		}
		name := prefix + key.text
		val := l.next()
		switch val.kind {
		case '<':
			if !l.readDict(name+"/", d, arrays, depth+1) {
				return false
			}
		case '[':
			if !l.readArray(name, arrays, d) {
				return false
			}
		case 'i':
			// an indirect reference "n g R" reads as three tokens
			save := l.pos
			if g := l.next(); g.kind == 'i' {
				if r := l.next(); r.kind == 'k' && r.text == "R" {
					d[name] = pdfToken{kind: 'k', text: "R"}
					continue
				}
			}
			l.pos = save
			d[name] = val
		case 0:
			return false
		default:
			d[name] = val
		}
	}
}

func (l *pdfLexer) readArray(name string, arrays pdfArrays, d pdfDict) bool {
	var ints []int64
	for {
		t := l.next()
		switch t.kind {
		case ']':
			arrays[name] = ints
			return true
		case 'i':
			ints = append(ints, t.num)
		case 'n':
			if _, ok := d[name]; !ok {
				d[name] = t // a filter array: its first name is what matters here
			} else {
				d[name] = pdfToken{kind: 'k', text: "several"}
			}
		case 0, '[', '<':
			return false
		}
	}
}
