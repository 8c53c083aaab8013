package jobdesc

import (
	"cmp"
	"math"
	"slices"
	"unicode"
)

// Limits of a plan.
const (
	// maxTopics is how many topics a plan weighs.
	maxTopics = 8
	// maxPhrases is how many phrases a topic quotes.
	maxPhrases = 6
	// minShare drops topics scoring under this share of the best one.
	minShare = 0.1
	// minScore is what a term must say for a topic to count at all: a
	// word the bank uses across most topics says nothing.
	minScore = 1.0
	// minVote drops the topics a term names much less clearly than its
	// main one.
	minVote = 0.3
	// nameBonus favours the topic a term names outright ("Kafka") over
	// the neighbours whose tags it also matches.
	nameBonus = 3
)

// PlanOffline plans the interview for text from the bank's vocabulary
// alone. language "" is detected from the text.
func (v *Vocabulary) PlanOffline(text, language string) (Plan, error) {
	return v.Plan(text, language, "", "")
}

// Plan is PlanOffline for a track and level that may be set already: then
// the plan weighs that track's topics and keeps the level.
func (v *Vocabulary) Plan(text, language, track, level string) (Plan, error) {
	if err := Check(text); err != nil {
		return Plan{}, err
	}
	if language == "" {
		language = DetectLanguage(text)
	}
	reqs := requirements(text)
	if track == "" {
		track = v.bestTrack(reqs, language)
	}
	if track == "" {
		return Plan{}, ErrNoMatch
	}
	p := Plan{Track: track, Language: language, Planner: "offline", Requirements: []Requirement{}, Uncovered: []string{}}
	if level != "" {
		p.Level, p.LevelReason = level, "chosen"
	} else {
		p.Level, p.LevelReason = v.level(text, track, language)
	}
	scores := map[string]float64{}
	phrases := map[string][]phrase{}
	for _, r := range reqs {
		req := Requirement{Text: r, Topics: []string{}}
		found, reqScores := v.matches(r, track)
		for topic, share := range reqScores {
			scores[topic] += share
			phrases[topic] = append(phrases[topic], found[topic]...)
			req.Topics = append(req.Topics, topic)
		}
		slices.SortFunc(req.Topics, func(a, b string) int { return cmp.Or(cmp.Compare(scores[b], scores[a]), cmp.Compare(a, b)) })
		if len(req.Topics) == 0 {
			p.Uncovered = append(p.Uncovered, r)
		}
		p.Requirements = append(p.Requirements, req)
	}
	p.Topics = weigh(scores, phrases)
	kept := p.TopicNames()
	for i := range p.Requirements {
		p.Requirements[i].Topics = slices.DeleteFunc(p.Requirements[i].Topics, func(t string) bool { return !slices.Contains(kept, t) })
	}
	p.Uncovered = p.Uncovered[:0]
	for _, r := range p.Requirements {
		if len(r.Topics) == 0 {
			p.Uncovered = append(p.Uncovered, r.Text)
		}
	}
	return p, nil
}

// phrase is a word of the description that counts for a topic.
type phrase struct {
	text  string
	score float64
}

// matches returns, for each topic of track that text names (as the bank
// names its topics and tags), the words that do, and the topic's votes.
// Each distinct term has one vote, shared among the topics it names
// clearly (those scoring at least minVote of its best); a topic named by
// the term outright ("Kafka") counts nameBonus times over its neighbours
// that merely carry it as a tag.
func (v *Vocabulary) matches(text, track string) (map[string][]phrase, map[string]float64) {
	found := map[string][]phrase{}
	seen := map[string]bool{}
	for _, w := range words(text) {
		perTopic := map[string][]float64{}
		for i, term := range w.terms {
			if seen[term] {
				continue
			}
			seen[term] = true
			for topic, share := range v.vote(term, track) {
				if perTopic[topic] == nil {
					perTopic[topic] = make([]float64, len(w.terms))
				}
				perTopic[topic][i] = share
			}
		}
		for topic, at := range perTopic {
			found[topic] = append(found[topic], runs(w, at, v.uses(w, unit{track, topic}))...)
		}
	}
	votes := map[string]float64{}
	for topic, ps := range found {
		for _, p := range ps {
			votes[topic] += p.score
		}
	}
	return found, votes
}

// vote shares one term's vote among the topics of track it names.
func (v *Vocabulary) vote(term, track string) map[string]float64 {
	scores := map[string]float64{}
	best := 0.0
	for u := range v.strength[term] {
		s := v.named(term, u)
		if u.track != track || s < minScore {
			continue
		}
		if v.strength[term][u] == weightTopic {
			s *= nameBonus
		}
		scores[u.topic] = s
		best = max(best, s)
	}
	total := 0.0
	for topic, s := range scores {
		if s < minVote*best {
			delete(scores, topic)
			continue
		}
		total += s
	}
	for topic, s := range scores {
		scores[topic] = s / total
	}
	return scores
}

// runs quotes the parts of a word whose terms count: the word itself, or
// for Han text the runs of counting bigrams ("数据仓库" out of
// "负责数据仓库建设" when both of its bigrams count).
func runs(w word, at []float64, used []bool) []phrase {
	if !isHanWord(w.surface) {
		return []phrase{{w.surface, at[0]}}
	}
	rs := []rune(w.surface)
	var out []phrase
	for i := 0; i < len(at); {
		if at[i] == 0 {
			i++
			continue
		}
		j, s := i, 0.0
		for j < len(at) && at[j] > 0 {
			s += at[j]
			j++
		}
		// A run takes in the bigrams next to it that the topic's
		// questions use: "数据质量", not "据质量".
		from, to := i, j
		for from > 0 && used[from-1] {
			from--
		}
		for to < len(at) && used[to] {
			to++
		}
		// Bigram i covers runes i and i+1; a lone rune is its own term.
		out = append(out, phrase{string(rs[from:min(to+1, len(rs))]), s})
		i = j
	}
	return out
}

// uses reports which terms of w the questions of u use at all.
func (v *Vocabulary) uses(w word, u unit) []bool {
	out := make([]bool, len(w.terms))
	for i, t := range w.terms {
		out[i] = v.strength[t][u] > 0
	}
	return out
}

func isHanWord(s string) bool {
	for _, r := range s {
		return unicode.Is(unicode.Han, r)
	}
	return false
}

// bestTrack is the track whose topics the requirements speak of most: for
// each distinct term, its best topic of the track counts.
func (v *Vocabulary) bestTrack(reqs []string, language string) string {
	terms := map[string]bool{}
	for _, r := range reqs {
		for _, w := range words(r) {
			for _, t := range w.terms {
				terms[t] = true
			}
		}
	}
	byTrack := map[string]float64{}
	for term := range terms {
		best := map[string]float64{}
		for u := range v.strength[term] {
			best[u.track] = max(best[u.track], v.named(term, u))
		}
		for track, s := range best {
			if s >= minScore {
				byTrack[track] += s
			}
		}
	}
	best, bestScore := "", 0.0
	for track, s := range byTrack {
		if !slices.Contains(v.tracks[track].Languages, language) {
			continue
		}
		if s > bestScore || s == bestScore && track < best {
			best, bestScore = track, s
		}
	}
	return best
}

// weigh keeps the best-scoring topics and turns their scores into weights
// that add up to 1, in hundredths.
func weigh(scores map[string]float64, phrases map[string][]phrase) []Topic {
	names := make([]string, 0, len(scores))
	for t := range scores {
		names = append(names, t)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(scores[b], scores[a]), cmp.Compare(a, b)) })
	if len(names) == 0 {
		return []Topic{}
	}
	top := scores[names[0]]
	var kept []string
	total := 0.0
	for _, n := range names {
		if len(kept) == maxTopics || scores[n] < minShare*top {
			break
		}
		kept = append(kept, n)
		total += scores[n]
	}
	out := make([]Topic, len(kept))
	left := 100
	for i, n := range kept {
		share := int(math.Round(100 * scores[n] / total))
		if i == len(kept)-1 {
			share = left
		}
		left -= share
		out[i] = Topic{Topic: n, Weight: float64(share) / 100, Phrases: quote(phrases[n])}
	}
	return out
}

// quote lists the distinct phrases of a topic, strongest first.
func quote(ps []phrase) []string {
	best := map[string]float64{}
	var order []string
	for _, p := range ps {
		if _, ok := best[p.text]; !ok {
			order = append(order, p.text)
		}
		best[p.text] = max(best[p.text], p.score)
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(best[b], best[a]) })
	return order[:min(len(order), maxPhrases)]
}
