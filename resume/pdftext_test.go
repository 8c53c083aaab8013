package resume

import (
	"context"
	"fmt"
	"testing"
)

// pdfWithContent is a one-page PDF with Helvetica as /F1 and the given content.
func pdfWithContent(content string) []byte {
	return writePDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}, "/Size 6 /Root 1 0 R")
}

// TestPDFLineLayout covers how writers place lines: Td and TD inside one text
// object, Tm with a scaled matrix, T* with a leading, TJ with kerning, runs
// split mid-word, and a second column on the same baseline.
func TestPDFLineLayout(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"Td lines in one BT", "BT /F1 11 Tf 72 700 Td (Skills) Tj 0 -14 Td (Go, SQL) Tj 0 -14 Td (Projects) Tj ET", "Skills\nGo, SQL\nProjects"},
		{"TD and T*", "BT /F1 10 Tf 72 700 TD (Education) Tj 0 -12 TD (MIT) Tj T* (Languages) Tj ET", "Education\nMIT\nLanguages"},
		{"scaled Tm", "BT /F1 1 Tf 12 0 0 12 72 700 Tm (Name: Ann) Tj 0 -1.2 Td (Skills: Go) Tj ET", "Name: Ann\nSkills: Go"},
		{"TJ with kerning and a word gap", "BT /F1 11 Tf 72 700 Td [(Ku) 20 (ber) -20 (netes) -600 (Docker)] TJ ET", "Kubernetes Docker"},
		{"word split in runs", "BT /F1 11 Tf 72 700 Td (Al) Tj 11 0 Td (ice) Tj ET", "Alice"},
		{"second column", "BT /F1 11 Tf 72 700 Td (Skills) Tj 300 0 Td (2019-2021) Tj ET", "Skills\t2019-2021"},
		{"words with spaces between", "BT /F1 11 Tf 72 700 Td (Go,) Tj 20 0 Td (Rust) Tj ET", "Go, Rust"},
		{"one text object per line", "BT /F1 11 Tf 72 700 Td (Ann Lee) Tj ET BT /F1 11 Tf 72 686 Td (Go) Tj ET", "Ann Lee\nGo"},
		{"quote operator", "BT /F1 11 Tf 14 TL 72 700 Td (A) Tj (B) ' ET", "A\nB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, err := Extract(context.Background(), FormatPDF, pdfWithContent(tt.content), DefaultLimits())
			if err != nil || text != tt.want {
				t.Fatalf("text = %q, %v; want %q", text, err, tt.want)
			}
		})
	}
}

// TestPDFToUnicodeCMap reads text in a subset font (Identity-H) through its
// ToUnicode CMap, as Word, Chrome and LaTeX write CJK and most other text.
func TestPDFToUnicodeCMap(t *testing.T) {
	cmap := deflate("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"1 begincodespacerange <0000> <FFFF> endcodespacerange\n" +
		"2 beginbfchar\n<0001> <5F20>\n<0002> <4F1F>\nendbfchar\n" +
		"1 beginbfrange\n<0010> <0012> <0041>\nendbfrange\n" +
		"endcmap CMapName currentdict /CMap defineresource pop end end")
	content := "BT /F1 12 Tf 72 700 Td <00010002> Tj 0 -14 Td <001000110012> Tj ET"
	data := writePDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+NotoSans /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+NotoSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", len(cmap), cmap),
	}, "/Size 8 /Root 1 0 R")
	text, err := Extract(context.Background(), FormatPDF, data, DefaultLimits())
	if err != nil || text != "张伟\nABC" {
		t.Fatalf("text = %q, %v; want %q", text, err, "张伟\nABC")
	}
}
