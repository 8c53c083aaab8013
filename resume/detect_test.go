package resume

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDetect(t *testing.T) {
	pdfData := buildPDF(t, resumePages[:1], pdfOptions{})
	docx := buildDOCX(t, []string{"Ann"})
	tests := []struct {
		name string
		data []byte
		want Format
		code string
	}{
		{"CV.PDF", pdfData, FormatPDF, ""},
		{"cv.docx", docx, FormatDOCX, ""},
		{"notes.markdown", []byte("# Ann"), FormatMD, ""},
		{"cv.md", []byte("# Ann"), FormatMD, ""},
		{"cv.TXT", []byte("Ann"), FormatTXT, ""},
		{"no extension pdf", pdfData, FormatPDF, ""},
		{"no extension docx", docx, FormatDOCX, ""},
		{"no extension text", []byte("姓名：王小明"), FormatTXT, ""},
		{"no extension utf-16", []byte{0xff, 0xfe, 'A', 0}, FormatTXT, ""},
		{"no extension zip", buildZip(t, [][2]string{{"a.txt", "a"}}), "", CodeUnsupportedType},
		{"cv.doc", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"), "", CodeUnsupportedType},
		{"cv.jpg", []byte("\xff\xd8\xff\xe0"), "", CodeUnsupportedType},
		{"cv.pdf", []byte("PK\x03\x04zip"), "", CodeNotPDF},
		{"cv.md", docx, "", CodeUnsupportedType},
		{"cv.txt", []byte{}, "", CodeNoText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect(tt.name, tt.data)
			if tt.code != "" {
				assertCode(t, err, tt.code)
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestPDFHeaderVersion2 reads a PDF 2.0 file, whose header the parser refuses
// as it stands.
func TestPDFHeaderVersion2(t *testing.T) {
	data := bytes.Replace(buildPDF(t, resumePages[:1], pdfOptions{}), []byte("%PDF-1.7"), []byte("%PDF-2.0"), 1)
	text, err := Extract(context.Background(), FormatPDF, data, DefaultLimits())
	if err != nil || !strings.Contains(text, "Carol Zhang") {
		t.Fatalf("Extract = %q, %v", text, err)
	}
}

func TestStoppableReaderAt(t *testing.T) {
	var stop atomic.Bool
	r := &stoppableReaderAt{data: []byte("0123456789"), stop: &stop, budget: 8}
	buf := make([]byte, 4)
	if n, err := r.ReadAt(buf, 2); n != 4 || err != nil || string(buf) != "2345" {
		t.Fatalf("ReadAt = %d, %v, %q", n, err, buf)
	}
	mustPanic(t, "after stop", func() { stop.Store(true); r.ReadAt(buf, 0) })
	stop.Store(false)
	mustPanic(t, "past the budget", func() { r.ReadAt(buf, 0); r.ReadAt(buf, 0) })
	if !r.exhausted.Load() {
		t.Fatal("budget overrun not recorded")
	}
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() != errStopped {
			t.Fatalf("%s: ReadAt did not stop the parser", what)
		}
	}()
	f()
}

// TestTimedOutParserEnds checks that a parse abandoned at the timeout does
// not keep running: its goroutine ends once its next read fails.
func TestTimedOutParserEnds(t *testing.T) {
	pages := make([][]pdfLine, maxPDFPages)
	for i := range pages {
		pages[i] = resumePages[i%2]
	}
	data := buildPDF(t, pages, pdfOptions{})
	before := runtime.NumGoroutine()
	l := DefaultLimits()
	l.Timeout = time.Millisecond
	_, err := Extract(context.Background(), FormatPDF, data, l)
	assertCode(t, err, CodeTimeout)
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 500 {
			t.Fatalf("%d goroutines still running, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStoppedParseReadsNothing checks that a parse asked to stop fails at its
// first read instead of finishing the file.
func TestStoppedParseReadsNothing(t *testing.T) {
	stop := new(atomic.Bool)
	stop.Store(true)
	for _, f := range []struct {
		name  string
		parse func(*job) (string, error)
		data  []byte
	}{
		{"pdf", extractPDF, buildPDF(t, resumePages, pdfOptions{})},
		{"docx", extractDOCX, buildDOCX(t, []string{"Ann", "Skills"})},
	} {
		text, err := f.parse(&job{data: f.data, limits: DefaultLimits(), stop: stop})
		if err == nil || text != "" {
			t.Fatalf("%s: stopped parse returned %q, %v", f.name, text, err)
		}
	}
}
