package resume

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// docxDocumentPart is the part of a DOCX package that holds the body text.
const docxDocumentPart = "word/document.xml"

// maxDOCXRatio is the largest compression ratio accepted for a large
// document.xml; real Word XML compresses about 10:1, bombs 1000:1.
const maxDOCXRatio = 200

// extractDOCX reads the text of word/document.xml: a line per paragraph, w:t
// text, w:tab as a tab, w:br and w:cr as line breaks.
func extractDOCX(j *job) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(j.data), int64(len(j.data)))
	if err != nil {
		return "", errBroken("DOCX")
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == docxDocumentPart {
			doc = f
			break
		}
	}
	if doc == nil {
		return "", newError(CodeBrokenFile, "the file is a ZIP archive but not a Word document (it has no word/document.xml); save it as .docx again")
	}
	if err := checkDeclaredSize(doc, j.limits.MaxUnpackedBytes); err != nil {
		return "", err
	}
	rc, err := doc.Open()
	if err != nil {
		return "", errBroken("DOCX")
	}
	defer rc.Close()
	return documentText(rc, j)
}

// documentText reads document.xml through a counter: archive/zip already
// refuses to read past an entry's declared size, and the counter bounds what
// is read whatever the declared size says.
func documentText(r io.Reader, j *job) (string, error) {
	counted := &countingReader{r: io.LimitReader(r, j.limits.MaxUnpackedBytes+1)}
	text, err := docxText(xml.NewDecoder(counted), j)
	switch {
	case counted.n > j.limits.MaxUnpackedBytes:
		return "", errZipBomb(j.limits.MaxUnpackedBytes)
	case errors.Is(err, zip.ErrFormat):
		// archive/zip refuses to read past the declared size: the entry lies.
		return "", errZipBomb(j.limits.MaxUnpackedBytes)
	case err != nil:
		return "", err
	}
	return text, nil
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
// element stack, so deep nesting costs no memory; depth only counts.
func docxText(d *xml.Decoder, j *job) (string, error) {
	var b strings.Builder
	inText, depth := false, 0
	for n := 0; ; n++ {
		if n%1024 == 0 && j.stop.Load() {
			return "", errStopped
		}
		tok, err := d.RawToken()
		if err == io.EOF {
			if depth != 0 {
				return "", errBroken("DOCX") // cut short: elements left open
			}
			return b.String(), nil
		}
		if err != nil {
			if errors.Is(err, zip.ErrFormat) {
				return "", err
			}
			return "", errBroken("DOCX")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			depth--
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			}
		}
		if b.Len() > j.rawTextCap() {
			return b.String(), nil
		}
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
