package questionbank

import (
	"strings"
	"unicode"
)

// Terms splits text into the terms used for keyword matching: lower-cased
// Latin words of three or more letters with stop words dropped and a light
// suffix stem, and overlapping bigrams of Han characters (Chinese has no
// spaces, and bigrams match well enough without a dictionary). Digits stay
// inside words so that "http2" or "sha256" match themselves.
func Terms(text string) []string {
	var terms []string
	var word []rune
	var han []rune
	flushWord := func() {
		if len(word) >= 3 {
			w := string(word)
			if !stopWords[w] {
				terms = append(terms, stem(w))
			}
		}
		word = word[:0]
	}
	flushHan := func() {
		switch {
		case len(han) == 1:
			terms = append(terms, string(han))
		case len(han) > 1:
			for i := 0; i+1 < len(han); i++ {
				terms = append(terms, string(han[i:i+2]))
			}
		}
		han = han[:0]
	}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flushWord()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
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

// stem strips a few common English suffixes so that "goroutines" matches
// "goroutine" and "cancelled" matches "cancel". It is deliberately crude:
// both sides of every comparison go through it.
func stem(w string) string {
	for _, suffix := range []string{"ations", "ation", "ings", "ing", "ies", "ed", "es", "s", "e"} {
		if len(w) > len(suffix)+3 && strings.HasSuffix(w, suffix) {
			w = strings.TrimSuffix(w, suffix)
			if suffix == "ies" {
				w += "y"
			}
			break
		}
	}
	// British spelling doubles a final l ("cancelled", "modelling").
	// Undoubling it in every word, "install" too, keeps "cancelled",
	// "canceled" and "cancel" alike without breaking "scheduled".
	if len(w) > 3 && strings.HasSuffix(w, "ll") {
		w = w[:len(w)-1]
	}
	return w
}

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`the and for are but not you your with this that have has had was were will
		would could should can what when where which who whom why how than then them they their there these
		those from into onto over under about also just only very more most some such each other any all
		its it's our out use used using does did doing done been being because while would may might must
		one two way ways like make makes made get gets got let lets well good much many`) {
		m[w] = true
	}
	return m
}()

// Letters counts the letters of text and, among them, the Han characters:
// what a guess of the text's language ("zh" or "en") is made from.
func Letters(text string) (han, letters int) {
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			letters++
		case unicode.IsLetter(r):
			letters++
		}
	}
	return han, letters
}
