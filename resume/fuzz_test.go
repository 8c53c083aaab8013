package resume

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fuzzFormats = []Format{FormatPDF, FormatDOCX, FormatTXT, FormatMD}

// fuzzLimits are smaller than the defaults so the fuzzer explores faster.
var fuzzLimits = Limits{MaxFileBytes: 1 << 20, MaxTextBytes: 4096, MaxUnpackedBytes: 4 << 20, Timeout: 5 * time.Second}

// FuzzExtract feeds random bytes to every format: Extract never panics, fails
// only with *Error, and returns valid, normalised text within MaxTextBytes.
// Its seed corpus (real files and the hostile ones above) runs in every
// `go test`.
func FuzzExtract(f *testing.F) {
	for _, name := range []string{"en.md", "zh.txt", "en.txt", "zh.md"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(2), data)
	}
	f.Add(uint8(0), buildPDF(f, resumePages, pdfOptions{}))
	f.Add(uint8(0), buildPDF(f, resumePages, pdfOptions{encrypt: true}))
	f.Add(uint8(0), streamWithParms("/Predictor 12 /Columns 4"))
	f.Add(uint8(1), buildDOCX(f, []string{"Name: Dan Wu", "Skills", "Go\tRust|SQL"}))
	f.Add(uint8(1), buildZip(f, [][2]string{{docxDocumentPart, "<w:document><w:p><w:t>x</w:t></w:p></w:document>"}}))
	f.Add(uint8(3), []byte("# A\n\n## Skills\n- Go\x00\x01, 技能\r\n"))
	f.Add(uint8(2), []byte{0xfe, 0xff, 0, 'A', 0xd8, 0})
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		format := fuzzFormats[int(kind)%len(fuzzFormats)]
		Detect("cv."+string(format), data)
		if format == FormatPDF {
			guardPDF(&job{data: data, limits: fuzzLimits}) // our own guard runs here without the panic net
		}
		text, err := Extract(context.Background(), format, data, fuzzLimits)
		if err != nil {
			var re *Error
			if !errors.As(err, &re) || re.Message == "" || text != "" {
				t.Fatalf("Extract(%s) = %q, %v; want only an *Error with a message", format, text, err)
			}
			if re.Code == CodeTimeout {
				t.Fatalf("Extract(%s) of %d bytes timed out: the parser hangs on it", format, len(data))
			}
			return
		}
		checkText(t, text, fuzzLimits.MaxTextBytes)
		OfflineProfile(text)
	})
}

func checkText(t *testing.T, text string, max int) {
	t.Helper()
	switch {
	case text == "":
		t.Fatal("empty text without an error")
	case len(text) > max:
		t.Fatalf("text of %d bytes, limit %d", len(text), max)
	case !utf8.ValidString(text):
		t.Fatal("text is not valid UTF-8")
	case strings.ContainsFunc(text, func(r rune) bool { return r != '\n' && r != '\t' && r < ' ' }):
		t.Fatalf("text keeps control characters: %q", text)
	}
}

// FuzzOfflineProfile checks the profile stays within its caps on any text.
func FuzzOfflineProfile(f *testing.F) {
	for _, name := range []string{"en.md", "zh.txt", "en.txt", "zh.md"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("## Projects\n- " + strings.Repeat("x", 500) + "\n## Skills\n" + strings.Repeat("a,", 100))
	f.Add("工作经历\t2019.03 - 至今 蚂蚁集团 高级数据分析师\nExperience\nStaff Engineer, Acme\nMar 2021 – Present\n1900-2200 x\n2020.13-2019.01 y")
	f.Fuzz(func(t *testing.T, text string) {
		p := OfflineProfile(text)
		if utf8.RuneCountInString(p.Name) > maxNameRunes || p.YearsExperience < 0 || p.YearsExperience > 50 {
			t.Fatalf("name %q, years %d out of bounds", p.Name, p.YearsExperience)
		}
		if len(p.Skills) > maxItems || len(p.Projects) > maxItems || len(p.Education) > maxItems || len(p.Languages) > maxItems || len(p.Jobs) > maxItems {
			t.Fatalf("too many items: %+v", p)
		}
		for _, j := range p.Jobs {
			if utf8.RuneCountInString(j.Employer) > maxItemRunes || utf8.RuneCountInString(j.Title) > maxItemRunes {
				t.Fatalf("job over its caps: %+v", j)
			}
		}
		for _, pr := range p.Projects {
			if utf8.RuneCountInString(pr.Name) > maxItemRunes || utf8.RuneCountInString(pr.Description) > maxDescRunes {
				t.Fatalf("project over its caps: %+v", pr)
			}
		}
	})
}
