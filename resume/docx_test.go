package resume

import (
	"context"
	"strings"
	"testing"
)

// TestDOCXHeaderAndTextBox reads the page header and footer first, and a text box once,
// although Word stores it twice (mc:Choice and mc:Fallback), as a block after
// the body rather than inside the paragraph it is anchored to.
func TestDOCXHeaderAndTextBox(t *testing.T) {
	const ns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"`
	header := `<w:hdr ` + ns + `><w:p><w:r><w:t>Fay Lin</w:t></w:r></w:p></w:hdr>`
	box := `<w:txbxContent><w:p><w:r><w:t>Skills: Go</w:t></w:r></w:p></w:txbxContent>`
	doc := `<w:document ` + ns + `><w:body><w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps">` + box +
		`</mc:Choice><mc:Fallback><w:pict>` + box + `</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>` +
		`<w:p><w:r><w:t>Projects</w:t></w:r></w:p></w:body></w:document>`
	footer := `<w:ftr ` + ns + `><w:p><w:r><w:t>fay@example.com</w:t></w:r></w:p></w:ftr>`
	data := buildZip(t, [][2]string{{"word/footer1.xml", footer}, {docxDocumentPart, doc}, {"word/header1.xml", header}})
	text, err := Extract(context.Background(), FormatDOCX, data, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if text != "Fay Lin\n\nfay@example.com\n\nProjects\n\nSkills: Go" {
		t.Fatalf("text = %q", text)
	}
	if p := OfflineProfile(text); p.Name != "Fay Lin" || strings.Join(p.Skills, ",") != "Go" {
		t.Fatalf("profile = %+v", p)
	}
}

// TestDOCXPartsShareTheLimit: headers and the body together stay within
// MaxUnpackedBytes.
func TestDOCXPartsShareTheLimit(t *testing.T) {
	part := "<w:hdr>" + strings.Repeat("<w:p><w:r><w:t>x</w:t></w:r></w:p>", 1000) + "</w:hdr>"
	data := buildZip(t, [][2]string{{"word/header1.xml", part}, {"word/header2.xml", part}, {docxDocumentPart, part}})
	l := DefaultLimits()
	l.MaxUnpackedBytes = int64(len(part)) * 5 / 2 // each part fits, all three do not
	_, err := Extract(context.Background(), FormatDOCX, data, l)
	assertCode(t, err, CodeZipBomb)
}

// TestDOCXTableRows reads a table row as one line, its cells separated by a
// tab, and a cell's paragraphs as lines (as Chinese résumé templates put a
// heading in the left cell and the section in the right one).
func TestDOCXTableRows(t *testing.T) {
	const ns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	cell := func(paras ...string) string {
		s := "<w:tc>"
		for _, p := range paras {
			s += "<w:p><w:r><w:t>" + p + "</w:t></w:r></w:p>"
		}
		return s + "</w:tc>"
	}
	doc := `<w:document ` + ns + `><w:body><w:tbl>` +
		`<w:tr>` + cell("2019 – present") + cell("Stripe") + cell("Engineer") + `</w:tr>` +
		`<w:tr>` + cell("工作经历") + cell("2019.03 - 至今 蚂蚁集团", "负责增长分析。") + `</w:tr>` +
		`</w:tbl><w:p><w:r><w:t>Education</w:t></w:r></w:p></w:body></w:document>`
	text, err := Extract(context.Background(), FormatDOCX, buildZip(t, [][2]string{{docxDocumentPart, doc}}), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if want := "2019 – present\tStripe\tEngineer\n工作经历\t2019.03 - 至今 蚂蚁集团\n负责增长分析。\nEducation"; text != want {
		t.Fatalf("text = %q, want %q", text, want)
	}
}

// TestDOCXFooterPageNumberIsNoName: a footer's page number, read before the
// body, is not taken for the candidate's name.
func TestDOCXFooterPageNumberIsNoName(t *testing.T) {
	const ns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	footer := `<w:ftr ` + ns + `><w:p><w:r><w:t>Page 1 of 2</w:t></w:r></w:p></w:ftr>`
	doc := `<w:document ` + ns + `><w:body><w:p><w:r><w:t>Gao Wei</w:t></w:r></w:p></w:body></w:document>`
	text, err := Extract(context.Background(), FormatDOCX, buildZip(t, [][2]string{{docxDocumentPart, doc}, {"word/footer1.xml", footer}}), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if p := OfflineProfile(text); p.Name != "Gao Wei" {
		t.Fatalf("name = %q from %q, want Gao Wei", p.Name, text)
	}
}
