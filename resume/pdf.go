package resume

import (
	"bytes"
	"strings"
	"sync/atomic"

	"github.com/ledongthuc/pdf"
)

// maxPDFPages bounds the pages read; a résumé has a handful.
const maxPDFPages = 200

// maxPDFReads bounds the bytes the parser may read from the in-memory file:
// it rereads objects (a 200-page résumé reads about 50 MiB), but not without
// end.
const maxPDFReads = 1 << 30

// extractPDF returns the text of a PDF page by page. Every encrypted PDF (its
// trailer names /Encrypt) is encrypted_pdf, even one that only has an owner
// password: reading it would ignore the author's restrictions.
func extractPDF(j *job) (text string, err error) {
	if err := guardPDF(j); err != nil {
		return "", err
	}
	data := fixPDFHeader(j.data)
	src := &stoppableReaderAt{data: data, stop: j.stop, budget: maxPDFReads}
	r, err := pdf.NewReader(src, int64(len(data)))
	switch {
	case err != nil && hasEncrypt(data), err == nil && !r.Trailer().Key("Encrypt").IsNull():
		return "", newError(CodeEncryptedPDF, "the PDF is password-protected; remove the protection (print or export it to a new PDF) and upload it again")
	case err != nil:
		return "", errBroken("PDF")
	}
	defer func() {
		if p := recover(); p != nil {
			text, err = "", errBroken("PDF")
		}
		if src.exhausted.Load() {
			text, err = "", errTooComplex()
		}
	}()
	return pdfPagesText(r, j)
}

func errTooComplex() *Error {
	return newError(CodeBrokenFile, "the PDF is too complex to read; export it again or upload a DOCX or text file")
}

func pdfPagesText(r *pdf.Reader, j *job) (string, error) {
	var b strings.Builder
	pages, ok := pdfPages(r.Trailer().Key("Root").Key("Pages"), maxPDFPages)
	if !ok {
		return "", errTooComplex()
	}
	for _, p := range pages {
		if j.stop.Load() {
			return "", errStopped
		}
		if b.Len() > j.rawTextCap() {
			break
		}
		pageText(p, &b, j.rawTextCap(), j.stop)
		b.WriteString("\n\n")
	}
	return b.String(), nil
}

// pdfPages walks the page tree once, in order, visiting at most a bounded
// number of nodes, so a cyclic tree ends. (The parser's own Page(i) walks the
// tree from the root for every page: quadratic, and endless on a cycle.) It
// reports false when it gave up before the end: a cycle or an absurd tree.
func pdfPages(root pdf.Value, limit int) ([]pdf.Page, bool) {
	var pages []pdf.Page
	stack := []pdf.Value{root}
	for visits := 0; len(stack) > 0 && len(pages) < limit; visits++ {
		if visits == 8*limit {
			return nil, false
		}
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch v.Key("Type").Name() {
		case "Page":
			pages = append(pages, pdf.Page{V: v})
		case "Pages":
			kids := v.Key("Kids")
			for i := min(kids.Len(), 8*limit) - 1; i >= 0; i-- {
				stack = append(stack, kids.Index(i))
			}
		}
	}
	return pages, true
}

// pageText appends a page's text to b; a page that fails to parse part-way
// keeps what was read before (one bad page does not hide the others). A stop
// from the reader is passed on.
func pageText(p pdf.Page, b *strings.Builder, max int, stop *atomic.Bool) {
	defer func() {
		if r := recover(); r == errStopped {
			panic(r)
		}
	}()
	newPageWriter(p, b, max, stop).write()
}

// fixPDFHeader rewrites a header the parser refuses although it is valid, such
// as "%PDF-2.0" or a header followed by a space, to "%PDF-1.7" plus a newline,
// keeping every offset in the file.
func fixPDFHeader(data []byte) []byte {
	if len(data) < 9 || !bytes.HasPrefix(data, []byte("%PDF-")) {
		return data
	}
	if data[5] == '1' && data[7] >= '0' && data[7] <= '7' && (data[8] == '\r' || data[8] == '\n') {
		return data
	}
	fixed := bytes.Clone(data)
	copy(fixed, "%PDF-1.7\n")
	return fixed
}

// hasEncrypt reports whether the file names an /Encrypt dictionary.
func hasEncrypt(data []byte) bool {
	found := false
	scanNames(data, func(name string, _ *pdfLexer) bool {
		found = name == "Encrypt"
		return !found
	})
	return found
}

// stoppableReaderAt serves the file to the parser and fails every read once
// Extract has given up (stop) or once the parser has read budget bytes, so a
// parser goroutine left running after a timeout ends at its next read.
type stoppableReaderAt struct {
	data      []byte
	stop      *atomic.Bool
	budget    int64
	read      atomic.Int64
	exhausted atomic.Bool
}

func (s *stoppableReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if s.read.Add(int64(len(p))) > s.budget {
		s.exhausted.Store(true)
		panic(errStopped)
	}
	if s.stop.Load() {
		panic(errStopped)
	}
	return bytes.NewReader(s.data).ReadAt(p, off)
}
