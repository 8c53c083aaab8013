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
// Chinese as overlapping character bigrams of each run of Han characters
// between function characters (的, 了, 是 …). Chinese is not segmented with
// a dictionary: bigrams need none and match as well for scoring (decision
// 0025). A term appears once per occurrence; callers that want a set make
// one.
func Analyze(text string) []string {
	text = zhSynonyms.Replace(text)
	var terms []string
	var word, han []rune
	flushWord := func() {
		if len(word) > 0 {
			terms = appendWord(terms, string(word))
		}
		word = word[:0]
	}
	flushHan := func() {
		terms = appendHan(terms, han)
		han = han[:0]
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			if zhStop[r] {
				flushHan()
				continue
			}
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '#':
			flushHan()
			word = append(word, unicode.ToLower(r))
		default:
			flushWord()
			flushHan()
		}
	}
	flushWord()
	flushHan()
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

func appendHan(terms []string, han []rune) []string {
	switch {
	case len(han) == 1:
		terms = append(terms, string(han))
	case len(han) > 1:
		for i := 0; i+1 < len(han); i++ {
			terms = append(terms, string(han[i:i+2]))
		}
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
