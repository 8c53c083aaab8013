package memory

import (
	"encoding/json"
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
	// Tokens bounds the summary and the verbatim turns together: past it,
	// the older turns are folded into the summary.
	Tokens int `json:"tokens"`
	// Window is how many of the newest turns stay verbatim after a fold.
	Window int `json:"window"`
	// SummaryTokens caps the summary itself; keep it well under Tokens so
	// that some turns stay verbatim.
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

// ToFold returns the turns to fold into the summary now: when the summary
// and the verbatim turns, with room for one more turn like the largest of
// them, pass the token budget, all verbatim turns but the newest Window
// (only evaluated ones, so an open question is never summarised). The
// room is there because folding happens while the candidate answers: the
// next prompt holds that answer too. It returns nil when nothing needs
// folding.
func (m Memory) ToFold(turns []interview.Turn, b Budget) []interview.Turn {
	open := m.Unfolded(turns)
	room := 0
	for _, t := range open {
		room = max(room, TurnTokens([]interview.Turn{t}))
	}
	if Tokens(m.Summary)+TurnTokens(open)+room <= b.Tokens || len(open) <= b.Window {
		return nil
	}
	fold := open[:len(open)-max(b.Window, 0)]
	for i, t := range fold {
		if t.Evaluation == nil {
			return fold[:i]
		}
	}
	return fold
}

// TurnTokens estimates the tokens the turns take in a prompt, as the JSON
// the prompt carries them in.
func TurnTokens(turns []interview.Turn) int {
	if len(turns) == 0 {
		return 0
	}
	body, _ := json.Marshal(turns) // plain data: a Turn always encodes
	return Tokens(string(body))
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
