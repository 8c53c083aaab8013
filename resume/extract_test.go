package resume

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// resumePages is a two-page résumé with English and Chinese lines.
var resumePages = [][]pdfLine{
	{
		{text: "Carol Zhang"},
		{text: "Platform engineer with 6 years of experience."},
		{text: "Skills"},
		{text: "Go, Kubernetes, PostgreSQL"},
		{text: "专业技能", zh: true},
		{text: "分布式系统、消息队列", zh: true},
	},
	{
		{text: "Projects"},
		{text: "Orbit - a deployment tool used by 40 teams."},
		{text: "Education"},
		{text: "B.Eng. Software Engineering, Fudan University"},
		{text: "Languages"},
		{text: "English, Mandarin"},
	},
}

func extractFile(t *testing.T, name string, data []byte, l Limits) (string, error) {
	t.Helper()
	f, err := Detect(name, data)
	if err != nil {
		return "", err
	}
	return Extract(context.Background(), f, data, l)
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestExtractReadsRealFiles(t *testing.T) {
	docx := buildDOCX(t, []string{"Dan Wu", "Skills", "Go\tRust|SQL", "Projects", "Beacon: metrics agent"})
	tests := []struct {
		name, file string
		data       []byte
		want       []string
	}{
		{"multi-page pdf, English and Chinese", "cv.pdf", buildPDF(t, resumePages, pdfOptions{}),
			[]string{"Carol Zhang", "Go, Kubernetes, PostgreSQL", "专业技能", "分布式系统、消息队列", "Orbit - a deployment tool", "English, Mandarin"}},
		{"docx paragraphs, tabs and breaks", "cv.docx", docx, []string{"Dan Wu\nSkills\nGo\tRust\nSQL\nProjects\nBeacon: metrics agent"}},
		{"markdown", "cv.md", readFixture(t, "en.md"), []string{"# Alice Chen", "## Skills"}},
		{"chinese text", "简历.txt", readFixture(t, "zh.txt"), []string{"姓名：王小明", "【专业技能】"}},
		{"utf-8 with byte order mark", "cv.txt", append([]byte{0xef, 0xbb, 0xbf}, "Eve\nSkills: Go"...), []string{"Eve\nSkills: Go"}},
		{"utf-16 with byte order mark", "cv.txt", utf16LE("姓名：赵六\n技能：Go"), []string{"姓名：赵六\n技能：Go"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, err := extractFile(t, tt.file, tt.data, DefaultLimits())
			if err != nil {
				t.Fatalf("extract: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q; got:\n%s", w, text)
				}
			}
		})
	}
}

func utf16LE(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8)) // the test strings are in the BMP
	}
	return out
}

func TestExtractRejectsBadFiles(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	good := buildPDF(t, resumePages, pdfOptions{})
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	big := []byte(strings.Repeat("Skills: Go\n", 6<<20/11+1))
	tests := []struct {
		name, file string
		data       []byte
		code       string
	}{
		{"png renamed .pdf", "cv.pdf", png, CodeNotPDF},
		{"random bytes .pdf", "cv.pdf", random, CodeNotPDF},
		{"png", "photo.png", png, CodeUnsupportedType},
		{"windows program", "cv.exe", append([]byte("MZ"), random...), CodeUnsupportedType},
		{"pdf named .txt", "cv.txt", good, CodeUnsupportedType},
		{"png named .docx", "cv.docx", png, CodeUnsupportedType},
		{"random bytes .docx", "cv.docx", random, CodeBrokenFile},
		{"random bytes without a name", "upload", random, CodeUnsupportedType},
		{"truncated pdf", "cv.pdf", good[:len(good)/2], CodeBrokenFile},
		{"encrypted pdf", "cv.pdf", buildPDF(t, resumePages, pdfOptions{encrypt: true}), CodeEncryptedPDF},
		{"pdf without text", "scan.pdf", buildPDF(t, resumePages, pdfOptions{noText: true}), CodeNoText},
		{"pdf page tree containing itself", "cv.pdf", cyclicPageTree(), CodeBrokenFile},
		{"docx without word/document.xml", "cv.docx", buildZip(t, [][2]string{{"word/other.xml", "<x/>"}}), CodeBrokenFile},
		{"empty docx", "cv.docx", buildDOCX(t, nil), CodeNoText},
		{"corrupt docx xml", "cv.docx", buildZip(t, [][2]string{{"word/document.xml", "<w:document><w:body><w:p><w:t>cut"}}), CodeBrokenFile},
		{"empty file", "cv.pdf", nil, CodeNoText},
		{"empty text file", "cv.txt", []byte{}, CodeNoText},
		{"whitespace only", "cv.md", []byte(" \n\t\r\n "), CodeNoText},
		{"6 MiB file", "cv.txt", big, CodeTooLarge},
		{"invalid utf-8", "cv.txt", []byte("Name: \xff\xfe\xfd Smith"), CodeInvalidText},
		{"odd utf-16", "cv.txt", []byte{0xff, 0xfe, 'a'}, CodeInvalidText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, err := extractFile(t, tt.file, tt.data, DefaultLimits())
			assertCode(t, err, tt.code)
			if text != "" {
				t.Errorf("text %q returned with an error", text)
			}
		})
	}
}

// cyclicPageTree is a PDF whose page tree lists itself among its kids.
func cyclicPageTree() []byte {
	content := "BT /F1 11 Tf 72 700 Td (Loop) Tj ET"
	return writePDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}, "/Size 5 /Root 1 0 R")
}

func assertCode(t *testing.T, err error, code string) {
	t.Helper()
	var re *Error
	if !errors.As(err, &re) {
		t.Fatalf("error = %v, want *Error with code %s", err, code)
	}
	if re.Code != code {
		t.Fatalf("code = %s (%s), want %s", re.Code, re.Message, code)
	}
	if re.Message == "" {
		t.Fatalf("code %s has no message", code)
	}
}

func TestExtractTimeoutAndCancel(t *testing.T) {
	pages := make([][]pdfLine, 150)
	for i := range pages {
		pages[i] = resumePages[i%2]
	}
	data := buildPDF(t, pages, pdfOptions{})
	l := DefaultLimits()
	l.Timeout = time.Nanosecond
	_, err := Extract(context.Background(), FormatPDF, data, l)
	assertCode(t, err, CodeTimeout)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Extract(ctx, FormatPDF, data, DefaultLimits())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled extract: %v, want context.Canceled", err)
	}
}

func TestExtractUnknownFormat(t *testing.T) {
	_, err := Extract(context.Background(), Format("rtf"), []byte("{\\rtf1}"), DefaultLimits())
	assertCode(t, err, CodeUnsupportedType)
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		max            int
	}{
		{"controls, NUL and spaces", "Ann\x00\x07  Lee\t\tGo\u200b\r\n\n\n\nSkills\u3000Go", "Ann Lee\tGo\n\nSkills Go", 100},
		{"a tab among spaces is one tab", "a  \t  b\u00a0\u00a0c\ue000", "a\tb c", 100},
		{"cut at a rune boundary", "技能技能技能", "技", 5},
		{"lines trimmed", "  a  \n  b", "a\nb", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := normalize(tt.in, tt.max)
			if got != tt.want {
				t.Fatalf("normalize = %q, want %q", got, tt.want)
			}
			if !utf8.ValidString(got) || len(got) > tt.max {
				t.Fatalf("normalize broke the limits: %q", got)
			}
		})
	}
}

func TestExtractKeepsMaxTextBytes(t *testing.T) {
	data := []byte(strings.Repeat("项目经历：分布式系统\n", 20000))
	l := DefaultLimits()
	l.MaxTextBytes = 1001
	text, err := Extract(context.Background(), FormatTXT, data, l)
	if err != nil {
		t.Fatal(err)
	}
	if len(text) > 1001 || len(text) < 990 || !utf8.ValidString(text) {
		t.Fatalf("kept %d bytes (valid %v), want at most 1001 and close to it", len(text), utf8.ValidString(text))
	}
}
