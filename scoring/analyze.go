package scoring

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// Analyze splits text into the terms the scorer compares: English words
// lower-cased, with common engineering abbreviations spelled out ("GC" →
// garbage collection), stop words dropped and Snowball (Porter2) stems;
// Chinese as the overlapping character bigrams and the single characters
// of each run of Han characters between function characters (的, 了, 是 …):
// bigrams match words, characters give a paraphrase partial credit.
// Chinese is not segmented with a dictionary: this needs none (decision
// 0025). A term appears once per occurrence; callers that want a set make
// one.
func Analyze(text string) []string {
	text = zhSynonyms.Replace(text)
	var terms []string
	// Terms are substrings of text where they can be, so that analysing
	// the whole bank at start-up allocates little.
	wordStart := -1
	var han []int // byte offsets of the Han run's characters, then its end
	flushWord := func(end int) {
		if wordStart >= 0 {
			terms = appendWord(terms, strings.ToLower(text[wordStart:end]))
		}
		wordStart = -1
	}
	flushHan := func(end int) {
		if len(han) > 0 {
			terms = appendHan(terms, text, append(han, end))
		}
		han = han[:0]
	}
	for i, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord(i)
			if zhStop[r] {
				flushHan(i)
				continue
			}
			han = append(han, i)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '#':
			flushHan(i)
			if wordStart < 0 {
				wordStart = i
			}
		default:
			flushWord(i)
			flushHan(i)
		}
	}
	flushWord(len(text))
	flushHan(len(text))
	return terms
}

func appendWord(terms []string, w string) []string {
	w = strings.Trim(w, "+#")
	if w == "" {
		return terms
	}
	if expansion, ok := enSynonyms[w]; ok {
		for _, e := range strings.Fields(expansion) {
			terms = append(terms, stem(e))
		}
		return terms
	}
	if utf8.RuneCountInString(w) < 2 || english.IsStopWord(w) || fillers[w] {
		return terms
	}
	return append(terms, stem(w))
}

// stems caches Snowball stems, which cost far more than a map look-up. It
// stops growing at maxCachedStems words so that odd input cannot fill
// memory.
var (
	stems       sync.Map
	cachedStems atomic.Int64
)

const maxCachedStems = 200_000

func stem(w string) string {
	if s, ok := stems.Load(w); ok {
		return s.(string)
	}
	s := english.Stem(american(w), true)
	if cachedStems.Load() < maxCachedStems {
		if _, loaded := stems.LoadOrStore(w, s); !loaded {
			cachedStems.Add(1)
		}
	}
	return s
}

// american spells the British forms of common suffixes the American way,
// so that "synchronisation" meets "synchronization" and "behaviour" meets
// "behavior".
func american(w string) string {
	for _, p := range britishSuffixes {
		if len(w) > len(p[0])+2 && strings.HasSuffix(w, p[0]) {
			return strings.TrimSuffix(w, p[0]) + p[1]
		}
	}
	return w
}

var britishSuffixes = [][2]string{
	{"isation", "ization"}, {"isations", "izations"}, {"ise", "ize"}, {"ised", "ized"}, {"ises", "izes"}, {"ising", "izing"},
	{"iour", "ior"}, {"iours", "iors"}, {"bour", "bor"}, {"lour", "lor"}, {"vour", "vor"}, {"yse", "yze"}, {"ysed", "yzed"},
}

// appendHan appends the bigrams and characters of a Han run; at holds the
// byte offset of each character and, last, of the run's end.
func appendHan(terms []string, text string, at []int) []string {
	n := len(at) - 1
	if n == 1 {
		return append(terms, text[at[0]:at[1]])
	}
	for i := 0; i+1 < n; i++ {
		terms = append(terms, text[at[i]:at[i+2]])
	}
	for i := range n {
		terms = append(terms, text[at[i]:at[i+1]])
	}
	return terms
}

// fillers are words beyond Snowball's stop list that carry no content in
// an answer.
var fillers = set(`also would could may might must shall can cannot etc e.g eg ie i.e like
	get gets got thing things something way ways one ones use uses used using make makes made
	let lets well much many really basically actually simply usually lot lots kind sort`)

// zhStop are Chinese function characters; a Han run is split at them so
// that bigrams do not straddle grammar ("的存" in "顺序表的存储").
var zhStop = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "的了和与及或是在也都就而被把这那吗呢啊着之其即并且则" {
		m[r] = true
	}
	return m
}()

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
