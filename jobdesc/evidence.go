package jobdesc

import (
	"slices"
	"strings"

	"github.com/mianshi/mianshi/questionbank"
)

// maxEvidence bounds what a requirement quotes of a résumé.
const maxEvidence = 4

// ReadResume notes, for each requirement of the plan, the résumé items
// (skills, projects) that share a word with the phrases that tied the
// requirement to its topics. The items are the candidate's own text,
// quoted, never interpreted.
func (p *Plan) ReadResume(items []string) {
	for i := range p.Requirements {
		r := &p.Requirements[i]
		want := map[string]bool{}
		for _, ph := range p.phrasesOf(*r) {
			for _, t := range questionbank.Terms(ph) {
				want[t] = true
			}
		}
		r.Resume = nil
		for _, item := range items {
			if len(r.Resume) == maxEvidence {
				break
			}
			if slices.ContainsFunc(questionbank.Terms(item), func(t string) bool { return want[t] }) && !slices.Contains(r.Resume, item) {
				r.Resume = append(r.Resume, clip(item, maxRequirement))
			}
		}
	}
}

// phrasesOf lists the plan's phrases that come from the requirement.
func (p *Plan) phrasesOf(r Requirement) []string {
	var out []string
	for _, t := range p.Topics {
		if !slices.Contains(r.Topics, t.Topic) {
			continue
		}
		for _, ph := range t.Phrases {
			if strings.Contains(r.Text, ph) && !slices.Contains(out, ph) {
				out = append(out, ph)
			}
		}
	}
	return out
}
