package resume

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
)

// pdfLine is one line of text in a test PDF; zh lines use the CJK font.
type pdfLine struct {
	text string
	zh   bool
}

// pdfOptions shape a test PDF.
type pdfOptions struct {
	encrypt bool // add an /Encrypt dictionary (with a password nobody knows)
	noText  bool // draw a rectangle instead of text
}

// buildPDF writes a real, minimal PDF: one page per entry of pages, text
// drawn line by line with Helvetica (WinAnsi) or STSong-Light (UniGB-UCS2-H),
// Flate-compressed content streams and a classic cross-reference table.
func buildPDF(t testing.TB, pages [][]pdfLine, opt pdfOptions) []byte {
	t.Helper()
	var objs []string // objs[i] is object i+1
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	add("<< /Type /Catalog /Pages 2 0 R >>")
	add("") // pages, filled in below
	add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	add("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>")
	add("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>")
	var kids []string
	for _, lines := range pages {
		content := pageContent(lines, opt.noText)
		c := add(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(content), content))
		p := add(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>", c))
		kids = append(kids, fmt.Sprintf("%d 0 R", p))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	trailer := fmt.Sprintf("/Size %d /Root 1 0 R", len(objs)+1)
	if opt.encrypt {
		zeros := strings.Repeat("00", 32)
		e := add(fmt.Sprintf("<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <%s> /U <%s> >>", zeros, "11"+zeros[2:]))
		trailer = fmt.Sprintf("/Size %d /Root 1 0 R /Encrypt %d 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]", len(objs)+1, e)
	}
	return writePDF(objs, trailer)
}

// writePDF lays out objects with a correct cross-reference table.
func writePDF(objs []string, trailer string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n", trailer, xref)
	return b.Bytes()
}

func pageContent(lines []pdfLine, noText bool) string {
	var c strings.Builder
	if noText {
		c.WriteString("0.2 0.4 0.8 rg 72 500 300 200 re f\n")
	}
	for i, l := range lines {
		if noText {
			break
		}
		font, text := "/F1", "("+pdfEscape(l.text)+")"
		if l.zh {
			font, text = "/F2", "<"+ucs2Hex(l.text)+">"
		}
		fmt.Fprintf(&c, "BT %s 11 Tf 72 %d Td %s Tj ET\n", font, 770-16*i, text)
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write([]byte(c.String()))
	w.Close()
	return z.String()
}

func pdfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`).Replace(s)
}

func ucs2Hex(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// buildZip writes a ZIP archive with the given files in order.
func buildZip(t testing.TB, files [][2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// buildDOCX writes a minimal Word document: one paragraph per line; "\t" becomes
// w:tab and a "|" inside a line a w:br.
func buildDOCX(t testing.TB, lines []string) []byte {
	t.Helper()
	var body strings.Builder
	for _, l := range lines {
		body.WriteString("<w:p>")
		for i, part := range strings.Split(l, "|") {
			if i > 0 {
				body.WriteString("<w:r><w:br/></w:r>")
			}
			for j, cell := range strings.Split(part, "\t") {
				if j > 0 {
					body.WriteString("<w:r><w:tab/></w:r>")
				}
				fmt.Fprintf(&body, `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">%s</w:t></w:r>`, xmlEscape(cell))
			}
		}
		body.WriteString("</w:p>")
	}
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		body.String() + `<w:sectPr/></w:body></w:document>`
	return buildZip(t, [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"word/document.xml", doc},
	})
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
