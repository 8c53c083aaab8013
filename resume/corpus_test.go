package resume

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// The corpus (testdata/corpus) holds résumés made the way candidates make
// them: HTML printed to PDF by headless chromium (one Chinese column with
// synthetic bold headings, two columns with a Chinese name beside the English
// one, tables, icon fonts), LibreOffice DOCX files (a text box, a page header,
// tables) and their LibreOffice PDF exports, and a Markdown résumé with
// sub-headings and a pipe table. Each PDF and DOCX file's expected text is in
// <stem>.expected.txt; a line "----" separates blocks that sit side by side
// on the page (columns), which may come in either order but must each be
// read whole. The sources (.html, .fodt) are kept beside them; see
// docs/decisions/0028-pdf-text-extractor.md for how they were made.

// minAccuracy is the share of characters an extractor must get right.
const minAccuracy = 0.98

func TestCorpusText(t *testing.T) {
	files := corpusFiles(t, "pdf", "docx")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			text, err := extractFile(t, f, readFile(t, f), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			acc, inOrder, lines := textScore(text, expectedText(t, f))
			t.Logf("%s: %.2f%% of characters, %d/%d lines whole and in order", filepath.Base(f), 100*acc, inOrder, lines)
			if acc < minAccuracy || inOrder < lines {
				t.Errorf("accuracy %.4f (want ≥ %.2f), %d/%d lines in order; text:\n%s", acc, minAccuracy, inOrder, lines, text)
			}
		})
	}
}

func corpusFiles(t *testing.T, exts ...string) []string {
	t.Helper()
	var files []string
	for _, ext := range exts {
		m, err := filepath.Glob("testdata/corpus/*." + ext)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 8 {
		t.Fatalf("found %d corpus files (%v), want at least 8", len(files), exts)
	}
	return files
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// corpusStem is the file's name without its extension: a DOCX and its PDF
// export share expectations.
func corpusStem(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path))
}

func expectedText(t *testing.T, path string) string {
	t.Helper()
	return string(readFile(t, corpusStem(path)+".expected.txt"))
}

// textScore compares extracted text with the expected text: the accuracy is
// 1 − edit distance / length of the expected text, both normalised
// (whitespace runs are one space, none next to CJK characters, private-use
// icon glyphs dropped), taking the order of side-by-side blocks that fits
// best; inOrder counts the expected lines found whole and right after the
// line before them in their block (so columns read line by line across the
// page, interleaved, fail).
func textScore(got, expected string) (acc float64, inOrder, lines int) {
	blocks := strings.Split(expected, "\n----\n")
	g := scoreNorm(got)
	for _, p := range permutations(len(blocks)) {
		var parts []string
		for _, i := range p {
			parts = append(parts, blocks[i])
		}
		e := scoreNorm(strings.Join(parts, "\n"))
		acc = max(acc, 1-float64(editDistance(g, e))/float64(len(e)))
	}
	gs := string(g)
	for _, blk := range blocks {
		pos := -1 // where the block's previous line ended; -1 before its first
		for line := range strings.SplitSeq(blk, "\n") {
			l := string(scoreNorm(line))
			if l == "" {
				continue
			}
			lines++
			if pos >= 0 && (strings.HasPrefix(gs[pos:], l) || strings.HasPrefix(gs[pos:], " "+l)) {
				inOrder++
				pos += strings.Index(gs[pos:], l) + len(l)
				continue
			}
			if i := strings.Index(gs[max(pos, 0):], l); i >= 0 {
				if pos < 0 {
					inOrder++ // a block's first line may be anywhere
				}
				pos = max(pos, 0) + i + len(l)
			}
		}
	}
	return acc, inOrder, lines
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

func scoreNorm(s string) []rune {
	var out []rune
	space := false
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Co, unicode.Cf) || r == unicode.ReplacementChar:
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if space && len(out) > 0 && !isCJK(out[len(out)-1]) && !isCJK(r) {
			out = append(out, ' ')
		}
		space = false
		out = append(out, r)
	}
	return out
}

func editDistance(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func permutations(n int) [][]int {
	if n <= 1 {
		return [][]int{make([]int, n)}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

func TestTextScore(t *testing.T) {
	tests := []struct {
		got, want string
		acc       float64
		inOrder   int
	}{
		{"Go 语言\n工程师", "Go语言 工程师", 1, 1},
		{"B\nA line", "A line\n----\nB", 1, 2},
		{"EVER Y day", "EVERY day", 1 - 1.0/9, 0},
		{"left one right one\nleft two right two", "left one\nleft two\n----\nright one\nright two", 0, 2},
	}
	for _, tt := range tests {
		acc, inOrder, _ := textScore(tt.got, tt.want)
		if fmt.Sprintf("%.3f", acc) != fmt.Sprintf("%.3f", tt.acc) && !(tt.acc == 0 && acc < 0.8) || inOrder != tt.inOrder {
			t.Errorf("textScore(%q, %q) = %.3f, %d; want %.3f, %d", tt.got, tt.want, acc, inOrder, tt.acc, tt.inOrder)
		}
	}
}

// TestCorpusProfile reads every corpus file into a profile and compares it
// with <stem>.profile.json, written by hand from the source of each file
// ("present" and "至今" end on testNow).
func TestCorpusProfile(t *testing.T) {
	for _, f := range corpusFiles(t, "pdf", "docx", "md") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			text, err := extractFile(t, f, readFile(t, f), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			var want Profile
			if err := json.Unmarshal(readFile(t, corpusStem(f)+".profile.json"), &want); err != nil {
				t.Fatal(err)
			}
			got := OfflineProfileAt(text, testNow)
			assertProfile(t, got, want)
			if !reflect.DeepEqual(got.Jobs, want.Jobs) || !reflect.DeepEqual(got.Contact, want.Contact) {
				t.Errorf("jobs, contact = %+v, %+v\nwant %+v, %+v", got.Jobs, got.Contact, want.Jobs, want.Contact)
			}
		})
	}
}
