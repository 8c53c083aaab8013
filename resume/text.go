package resume

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// extractText decodes a TXT or Markdown file: UTF-8 (with or without a byte
// order mark) or UTF-16 with a byte order mark. Anything else is invalid_text.
func extractText(j *job) (string, error) {
	data := j.data
	switch {
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return decodeUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return decodeUTF16(data[2:], true)
	}
	if !utf8.Valid(data) {
		return "", errInvalidText()
	}
	return string(data), nil
}

func decodeUTF16(data []byte, bigEndian bool) (string, error) {
	if len(data)%2 != 0 {
		return "", errInvalidText()
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		hi, lo := data[2*i], data[2*i+1]
		if !bigEndian {
			hi, lo = lo, hi
		}
		units[i] = uint16(hi)<<8 | uint16(lo)
	}
	runes := utf16.Decode(units)
	for _, r := range runes {
		if r == utf8.RuneError {
			return "", errInvalidText()
		}
	}
	return string(runes), nil
}

func errInvalidText() *Error {
	return newError(CodeInvalidText, "the text file is not valid UTF-8 (or UTF-16 with a byte order mark); save it as UTF-8 and upload it again")
}

// normalize removes NUL, control and invisible format characters and
// private-use characters (icon fonts' glyphs), turns unusual spaces into
// spaces, collapses runs of spaces (to a tab if they hold one), trims lines, keeps at
// most one blank line in a row and cuts the result to maxBytes at a rune boundary.
func normalize(s string, maxBytes int) string {
	var out strings.Builder
	out.Grow(min(len(s), maxBytes))
	blank := 0
	for line := range strings.Lines(strings.ReplaceAll(s, "\r\n", "\n")) {
		for part := range strings.SplitSeq(line, "\r") {
			clean := cleanLine(part)
			if clean == "" {
				blank++
				continue
			}
			if out.Len() > 0 {
				out.WriteString(strings.Repeat("\n", min(blank+1, 2)))
			}
			blank = 0
			out.WriteString(clean)
			if out.Len() >= maxBytes {
				return cutAtRune(out.String(), maxBytes)
			}
		}
	}
	return out.String()
}

// cleanLine cleans one line: spaces collapsed, controls dropped, ends trimmed.
// A run of spaces that holds a tab becomes one tab: a table cell's edge or a
// wide gap on a PDF line, which the profile reads as a column separator.
func cleanLine(line string) string {
	var b strings.Builder
	space, tab := false, false
	for _, r := range line {
		switch {
		case r == '\t':
			space, tab = true, true
			continue
		case r == '\u00a0' || r == '\u3000' || (unicode.IsSpace(r) && r != '\n'):
			space = true
			continue
		case r == '\n' || r == utf8.RuneError || unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Co):
			continue
		}
		if space && b.Len() > 0 {
			if tab {
				b.WriteByte('\t')
			} else {
				b.WriteByte(' ')
			}
		}
		space, tab = false, false
		b.WriteRune(r)
	}
	return b.String()
}

// cutAtRune returns s cut to at most n bytes without splitting a rune.
func cutAtRune(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimSpace(s[:n])
}
