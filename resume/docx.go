package resume

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
)

// docxDocumentPart is the part of a DOCX package that holds the body text.
const docxDocumentPart = "word/document.xml"

// maxDOCXRatio is the largest compression ratio accepted for a large
// document.xml; real Word XML compresses about 10:1, bombs 1000:1.
const maxDOCXRatio = 200

// extractDOCX reads the text of the page headers (where résumé templates often
// put the name) and footers, then word/document.xml: a line per paragraph, a table row
// as one line with its cells separated by tabs, text boxes as blocks after the
// body, w:t text, w:tab as a tab, w:br and w:cr as line breaks. Word, WPS and
// LibreOffice write these structures alike.
func extractDOCX(j *job) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(j.data), int64(len(j.data)))
	if err != nil {
		return "", errBroken("DOCX")
	}
	parts := docxParts(zr)
	if len(parts) == 0 || parts[len(parts)-1].Name != docxDocumentPart {
		return "", newError(CodeBrokenFile, "the file is a ZIP archive but not a Word document (it has no word/document.xml); save it as .docx again")
	}
	declared := uint64(0)
	for _, f := range parts {
		if err := checkDeclaredSize(f, j.limits.MaxUnpackedBytes); err != nil {
			return "", err
		}
		declared += f.UncompressedSize64
	}
	if declared > uint64(j.limits.MaxUnpackedBytes) {
		return "", errZipBomb(j.limits.MaxUnpackedBytes)
	}
	var b strings.Builder
	budget := j.limits.MaxUnpackedBytes
	for _, f := range parts {
		text, n, err := readPart(f, j, budget)
		if err != nil {
			return "", err
		}
		budget -= n
		b.WriteString(text)
		b.WriteString("\n")
	}
	return b.String(), nil
}

// docxParts returns the header and then the footer parts (where templates
// put the name and the contact line), each in name order, then document.xml
// last; nil when there is no document.xml. Page furniture comes first so that
// it never runs on into the body's last section.
func docxParts(zr *zip.Reader) []*zip.File {
	var headers, footers []*zip.File
	var doc *zip.File
	for _, f := range zr.File {
		switch {
		case f.Name == docxDocumentPart:
			doc = f
		case strings.HasPrefix(f.Name, "word/header") && strings.HasSuffix(f.Name, ".xml") && len(headers) < 8:
			headers = append(headers, f)
		case strings.HasPrefix(f.Name, "word/footer") && strings.HasSuffix(f.Name, ".xml") && len(footers) < 8:
			footers = append(footers, f)
		}
	}
	if doc == nil {
		return nil
	}
	byName := func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(headers, byName)
	slices.SortFunc(footers, byName)
	return append(append(headers, footers...), doc)
}

func readPart(f *zip.File, j *job, budget int64) (string, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, errBroken("DOCX")
	}
	defer rc.Close()
	return documentText(rc, j, budget)
}

// documentText reads a part's XML through a counter: archive/zip already
// refuses to read past an entry's declared size, and the counter bounds what
// is read whatever the declared size says. It returns the bytes read.
func documentText(r io.Reader, j *job, budget int64) (string, int64, error) {
	counted := &countingReader{r: io.LimitReader(r, budget+1)}
	text, err := docxText(xml.NewDecoder(counted), j)
	switch {
	case counted.n > budget:
		return "", counted.n, errZipBomb(j.limits.MaxUnpackedBytes)
	case errors.Is(err, zip.ErrFormat):
		// archive/zip refuses to read past the declared size: the entry lies.
		return "", counted.n, errZipBomb(j.limits.MaxUnpackedBytes)
	case err != nil:
		return "", counted.n, err
	}
	return text, counted.n, nil
}

func checkDeclaredSize(f *zip.File, limit int64) error {
	size, packed := f.UncompressedSize64, f.CompressedSize64
	if size > uint64(limit) {
		return errZipBomb(limit)
	}
	if size > 1<<20 && size/max(packed, 1) > maxDOCXRatio {
		return errZipBomb(limit)
	}
	return nil
}

func errZipBomb(limit int64) *Error {
	return newError(CodeZipBomb, "the document unpacks to more than %s or is compressed suspiciously well; it looks like a ZIP bomb", formatBytes(limit))
}

// docxText walks the XML tokens without building a tree; RawToken keeps no
// element stack, so deep nesting costs no memory (depth only counts).
func docxText(d *xml.Decoder, j *job) (string, error) {
	var w docxWriter
	for n := 0; w.len() <= j.rawTextCap(); n++ {
		if n%1024 == 0 && j.stop.Load() {
			return "", errStopped
		}
		tok, err := d.RawToken()
		switch {
		case err == io.EOF && w.depth != 0:
			return "", errBroken("DOCX") // cut short: elements left open
		case err == io.EOF:
			return w.text(), nil
		case errors.Is(err, zip.ErrFormat):
			return "", err
		case err != nil:
			return "", errBroken("DOCX")
		}
		w.token(tok)
	}
	return w.text(), nil
}

// docxWriter collects the text of WordprocessingML tokens. A table row
// becomes one line with its cells separated by tabs (a cell's own paragraphs
// stay lines), so "2019 – present | Stripe | Engineer" stays together.
type docxWriter struct {
	b        strings.Builder
	depth    int
	fallback int // inside mc:Fallback, which repeats a text box's mc:Choice for old readers
	inText   bool
	cells    int  // depth of table cells (w:tc) around the current token
	pendingP bool // a paragraph ended in a cell; its line break waits to see whether the cell ends too
	boxes    strings.Builder
	inBox    int // depth of text boxes (w:txbxContent)
}

// text is the document's text, then its text boxes: a box sits inside the
// paragraph it is anchored to, mid-sentence, but reads as a block of its
// own (a sidebar of skills, a photo caption).
func (w *docxWriter) text() string {
	return w.b.String() + "\n" + w.boxes.String()
}

func (w *docxWriter) len() int { return w.b.Len() + w.boxes.Len() }

func (w *docxWriter) token(tok xml.Token) {
	switch t := tok.(type) {
	case xml.StartElement:
		w.depth++
		switch t.Name.Local {
		case "Fallback":
			w.fallback++
		case "tc":
			w.cells++
		case "txbxContent":
			w.inBox++
		case "t":
			w.inText = true
		case "tab":
			w.write("\t")
		case "br", "cr":
			w.write("\n")
		}
	case xml.EndElement:
		w.depth--
		switch t.Name.Local {
		case "Fallback":
			w.fallback--
		case "t":
			w.inText = false
		case "p":
			if w.cells > 0 {
				w.flush()
				w.pendingP = w.fallback == 0
			} else {
				w.write("\n")
			}
		case "tc":
			w.cells = max(w.cells-1, 0)
			w.pendingP = false
			w.write("\t")
		case "tr":
			w.pendingP = false
			w.write("\n")
		case "txbxContent":
			w.write("\n")
			w.inBox = max(w.inBox-1, 0)
		}
	case xml.CharData:
		if w.inText {
			w.write(string(t))
		}
	}
}

func (w *docxWriter) write(s string) {
	if w.fallback == 0 {
		w.flush()
		w.out().WriteString(s)
	}
}

func (w *docxWriter) out() *strings.Builder {
	if w.inBox > 0 {
		return &w.boxes
	}
	return &w.b
}

// flush writes the line break of a cell's paragraph that turned out not to
// be the cell's last.
func (w *docxWriter) flush() {
	if w.pendingP {
		w.pendingP = false
		w.out().WriteString("\n")
	}
}

// errStopped ends a parse that Extract has already given up on.
var errStopped = errors.New("parse stopped")

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
