package resume

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/ascii85"
	"fmt"
	"strings"
	"testing"
)

func deflate(s string) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

// xrefStreamPDF writes a PDF 1.5 file the way modern writers do: the font sits
// in an object stream and the cross-reference is a Flate stream with the PNG Up
// predictor. entry may rewrite the cross-reference entries (type, field 2,
// field 3) before they are encoded, and dict adds to the xref stream dictionary.
func xrefStreamPDF(t *testing.T, entry func(e [][3]int), dict string) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	offsets := map[int]int{}
	obj := func(n int, body string) {
		offsets[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, body)
	}
	stream := func(n int, dict, data string) {
		obj(n, fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data))
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	obj(2, "<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
	obj(4, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>")
	stream(5, "/Filter /FlateDecode", deflate("BT /F1 12 Tf 72 700 Td (Grace Hopper) Tj ET\nBT /F1 12 Tf 72 680 Td (Skills: COBOL, compilers) Tj ET"))
	font := "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	stream(6, "/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", deflate("3 0 "+font))
	entries := [][3]int{{0, 0, 255}, {1, offsets[1], 0}, {1, offsets[2], 0}, {2, 6, 0}, {1, offsets[4], 0}, {1, offsets[5], 0}, {1, offsets[6], 0}, {1, b.Len(), 0}}
	if entry != nil {
		entry(entries)
	}
	w2 := 2
	if entries[3][1] > 0xffff {
		w2 = 5 // field 2 needs more bytes
	}
	var rows []byte
	prev := make([]byte, 2+w2)
	for _, e := range entries {
		row := []byte{byte(e[0])}
		for k := w2 - 1; k >= 0; k-- {
			row = append(row, byte(e[1]>>(8*k)))
		}
		row = append(row, byte(e[2]))
		rows = append(rows, 2)
		for i := range row {
			rows = append(rows, row[i]-prev[i])
		}
		prev = row
	}
	xref := b.Len()
	stream(7, fmt.Sprintf("/Type /XRef /Size 8 /W [1 %d 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns %d >> %s", w2, 2+w2, dict), deflate(string(rows)))
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}

func TestPDFWithObjectAndXrefStreams(t *testing.T) {
	text, err := Extract(context.Background(), FormatPDF, xrefStreamPDF(t, nil, ""), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Grace Hopper") || !strings.Contains(text, "COBOL") {
		t.Fatalf("text = %q", text)
	}
}

// TestPDFGuard feeds files that, unguarded, make the PDF parser recurse until
// the stack overflows or allocate terabytes (both kill the process) or loop
// forever. The guard is checked first so a miss fails the test instead of
// crashing it.
func TestPDFGuard(t *testing.T) {
	good := buildPDF(t, resumePages[:1], pdfOptions{})
	xrefAt := bytes.Index(good, []byte("\nxref\n")) + 1
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"object stream holding itself", xrefStreamPDF(t, func(e [][3]int) { e[3] = [3]int{2, 3, 0} }, ""), CodeBrokenFile},
		{"object streams holding each other", xrefStreamPDF(t, func(e [][3]int) { e[6] = [3]int{2, 3, 0} }, ""), CodeBrokenFile},
		{"object stream number that wraps at 32 bits", xrefStreamPDF(t, func(e [][3]int) { e[3] = [3]int{2, 3 + 1<<32, 0} }, ""), CodeBrokenFile},
		{"xref stream /Size of a trillion", xrefStreamPDF(t, nil, "/Size 1000000000000"), CodeBrokenFile},
		{"xref stream /Index far away", xrefStreamPDF(t, nil, "/Index [900000000000 8]"), CodeBrokenFile},
		{"xref stream /W of a terabyte", xrefStreamPDF(t, nil, "/W [1 1000000000000 1]"), CodeBrokenFile},
		{"xref stream /Prev to itself", xrefStreamPDF(t, nil, fmt.Sprintf("/Prev %d", bytes.LastIndex(xrefStreamPDF(t, nil, ""), []byte("7 0 obj")))), CodeBrokenFile},
		{"classic xref subsection of a billion", replaceOnce(good, xrefAt, "xref\n0 ", "xref\n999999999 "), CodeBrokenFile},
		{"classic xref /Prev to itself", replaceOnce(good, 0, "/Root 1 0 R", fmt.Sprintf("/Prev %d", xrefAt)), CodeBrokenFile},
		{"predictor row of a terabyte", streamWithParms("/Predictor 12 /Columns 1000000000000"), CodeBrokenFile},
		{"predictor columns by reference", streamWithParms("/Predictor 12 /Columns 9 0 R"), CodeBrokenFile},
		{"escaped name /Col#75mns", streamWithParms("/Predictor 12 /Col#75mns 1000000000000"), CodeBrokenFile},
		{"object stream of a trillion objects", streamWithParms("/Predictor 12 /Columns 4 >> /Type /ObjStm /N 1000000000000 /First 0 <<"), CodeBrokenFile},
		{"object count by reference", streamWithParms("/Predictor 12 /Columns 4 >> /N 7 0 R <<"), CodeBrokenFile},
		{"CMap block of a trillion entries", pdfWithStream(deflate("/CIDInit /ProcSet findresource begin begincmap 1000000000000 beginbfchar endbfchar endcmap end")), CodeBrokenFile},
		{"CMap block counted by a name", pdfWithStream(deflate("/CIDInit /ProcSet findresource begin /n 1000000000000 def begincmap n beginbfrange endbfrange endcmap end")), CodeBrokenFile},
		{"stream unpacking past the limit", pdfWithStream(deflate(strings.Repeat("0 0 m ", 1<<20))), CodeZipBomb},
		{"ASCII85 stream unpacking past the limit", pdfWithStream(ascii85Of(deflate(strings.Repeat("0 0 m ", 1<<20))) + "~>"), CodeZipBomb},
	}
	l := DefaultLimits()
	l.MaxUnpackedBytes = 4 << 20 // the stream bombs unpack to 6 MiB
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := guardPDF(&job{data: tt.data, limits: l})
			assertCode(t, err, tt.code)
			_, err = Extract(context.Background(), FormatPDF, tt.data, l)
			assertCode(t, err, tt.code)
		})
	}
}

// TestPDFGuardIsLinear gives the guard a file of nothing but stream keywords
// (no ASCII85 end marker anywhere): a scan quadratic in them would time out
// instead of handing the file on to be rejected as broken.
func TestPDFGuardIsLinear(t *testing.T) {
	data := []byte("%PDF-1.7\n" + strings.Repeat("stream\n", 700000) + "%%EOF\n")
	_, err := Extract(context.Background(), FormatPDF, data, DefaultLimits())
	assertCode(t, err, CodeBrokenFile)
}

func ascii85Of(s string) string {
	out := make([]byte, ascii85.MaxEncodedLen(len(s)))
	return string(out[:ascii85.Encode(out, []byte(s))])
}

func replaceOnce(data []byte, from int, old, new string) []byte {
	i := bytes.Index(data[from:], []byte(old))
	if i < 0 {
		panic("replaceOnce: " + old + " not found")
	}
	out := bytes.Clone(data[:from+i])
	out = append(out, new...)
	return append(out, data[from+i+len(old):]...)
}

// pdfWithStream is a one-page PDF whose content is the given Flate data.
func pdfWithStream(deflated string) []byte {
	return writePDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(deflated), deflated),
	}, "/Size 5 /Root 1 0 R")
}

func streamWithParms(parms string) []byte {
	data := deflate("BT ET")
	return writePDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode /DecodeParms << %s >> >>\nstream\n%s\nendstream", len(data), parms, data),
	}, "/Size 5 /Root 1 0 R")
}
