package memory

import (
	"strings"
	"unicode/utf8"

	"github.com/mianshi/mianshi/interview"
)

// Memory is what the interviewer remembers beyond the turns it sees
// verbatim. It travels in the workflow's state, across continue-as-new.
type Memory struct {
	// Summary is the rolling summary of turns 1 to Folded.
	Summary string `json:"summary,omitempty"`
	// Folded is the last round folded into Summary; later turns are seen
	// verbatim.
	Folded int `json:"folded"`
	// Sheet is the score sheet, one entry per topic in order of first
	// appearance.
	Sheet []TopicScore `json:"sheet,omitempty"`
}

// Budget bounds what the interviewer sees of the past.
type Budget struct {
	// Tokens bounds the answered turns kept verbatim: past it, the older
	// ones are folded into the summary (the newest always stays).
	Tokens int `json:"tokens"`
	// Window is how many answered turns stay verbatim at most; older ones
	// are folded into the summary.
	Window int `json:"window"`
	// SummaryTokens caps the rolling summary.
	SummaryTokens int `json:"summary_tokens"`
}

// clipAnswer bounds one answer as the interviewer sees it verbatim; the
// evaluation of that answer saw it whole.
const clipAnswer = 1200

// Unfolded returns the turns after the last folded round: what the
// interviewer sees verbatim. Answers are clipped so that one long answer
// cannot crowd out the rest.
func (m Memory) Unfolded(turns []interview.Turn) []interview.Turn {
	var out []interview.Turn
	for _, t := range turns {
		if t.Round <= m.Folded {
			continue
		}
		t.Answer = Clip(t.Answer, clipAnswer)
		out = append(out, t)
	}
	return out
}

// ToFold returns the answered turns to fold into the summary now: all
// but the newest Window of them, and more while those pass the token
// budget (the newest always stays verbatim). An open question is never
// folded. Folding every round keeps the prompt the same size from the
// first rounds on: a few verbatim turns, a summary that fills to its cap,
// the score sheet. It returns nil when nothing needs folding.
func (m Memory) ToFold(turns []interview.Turn, b Budget) []interview.Turn {
	var answered []interview.Turn
	for _, t := range m.Unfolded(turns) {
		if t.Evaluation == nil {
			break
		}
		answered = append(answered, t)
	}
	keep := min(max(b.Window, 1), len(answered))
	for keep > 1 && TurnTokens(answered[len(answered)-keep:]) > b.Tokens {
		keep--
	}
	if keep == len(answered) {
		return nil
	}
	return answered[:len(answered)-keep]
}

// turnOverhead is about what a turn's compact JSON adds to its text:
// field names, ids, timestamps, quotes and punctuation (measured on a
// typical turn: 96 tokens of JSON for 32 of text).
const turnOverhead = 64

// TurnTokens estimates the tokens the turns take in a prompt, as the JSON
// the prompt carries them in: their text plus a fixed overhead each. (It
// adds up the fields rather than encoding them, which keeps reflection out
// of workflow code.)
func TurnTokens(turns []interview.Turn) int {
	n := 0
	for _, t := range turns {
		n += turnOverhead + Tokens(t.Topic) + Tokens(t.Question) + Tokens(t.Answer) + Tokens(strings.Join(t.Sources, ","))
		if e := t.Evaluation; e != nil {
			n += Tokens(e.Feedback) + Tokens(strings.Join(e.Missed, ","))
		}
	}
	return n
}

// Tokens estimates how many tokens a model's tokenizer makes of s: about
// four ASCII characters a token, and one token for each other character
// (a Chinese character is one or two). An estimate is all a budget needs.
func Tokens(s string) int {
	ascii, other := 0, 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			ascii++
		} else {
			other++
		}
	}
	return (ascii+3)/4 + other
}

// Clip shortens s to at most n bytes at a rune boundary, marking the cut.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + " …"
}
