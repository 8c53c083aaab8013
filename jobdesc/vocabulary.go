package jobdesc

import (
	"math"
	"strings"

	"github.com/mianshi/mianshi/questionbank"
)

// How strongly a word marks a topic, by where the bank uses it: a topic's
// own name and its questions' tags say what the topic is about; key points
// and question wording also mention neighbouring things.
const (
	weightTopic    = 4
	weightTag      = 3
	weightKeyPoint = 1
	weightQuestion = 0.5
)

// unit is one topic of one track.
type unit struct {
	track, topic string
}

// Vocabulary is what the offline planner knows of a bank: for each term,
// how strongly it marks each topic of each track, and which levels and
// languages each track has.
type Vocabulary struct {
	strength map[string]map[unit]float64
	idf      map[string]float64
	// tagSpread counts, per term and track, the topics that name it as
	// topic or tag.
	tagSpread map[string]map[string]int
	tracks    map[string]questionbank.TrackInfo
	has       map[[3]string]bool
}

// NewVocabulary learns the vocabulary of qs.
func NewVocabulary(qs []questionbank.Question) *Vocabulary {
	v := &Vocabulary{
		strength:  map[string]map[unit]float64{},
		idf:       map[string]float64{},
		tagSpread: map[string]map[string]int{},
		tracks:    map[string]questionbank.TrackInfo{},
		has:       map[[3]string]bool{},
	}
	units := map[unit]bool{}
	for _, q := range qs {
		u := unit{q.Track, q.Topic}
		units[u] = true
		v.has[[3]string{q.Track, q.Level, q.Language}] = true
		v.add(u, strings.ReplaceAll(q.Topic, "-", " "), weightTopic)
		for _, tag := range q.Tags {
			v.add(u, strings.ReplaceAll(tag, "-", " "), weightTag)
		}
		for _, k := range q.KeyPoints {
			v.add(u, k, weightKeyPoint)
		}
		v.add(u, q.Question, weightQuestion)
	}
	for term, by := range v.strength {
		v.idf[term] = math.Log(float64(len(units)+1) / float64(len(by)))
		v.tagSpread[term] = map[string]int{}
		for u, w := range by {
			if w >= weightTag {
				v.tagSpread[term][u.track]++
			}
		}
	}
	for _, t := range questionbank.TracksOf(qs) {
		v.tracks[t.Track] = t
	}
	return v
}

func (v *Vocabulary) add(u unit, text string, weight float64) {
	for _, term := range questionbank.Terms(text) {
		by := v.strength[term]
		if by == nil {
			by = map[unit]float64{}
			v.strength[term] = by
		}
		by[u] = max(by[u], weight)
	}
}

// named is how much term says for u when the bank names it as u's topic
// or one of its tags: more the rarer the term is across the bank, shared
// among the track's topics that name it. Zero otherwise.
func (v *Vocabulary) named(term string, u unit) float64 {
	w := v.strength[term][u]
	if w < weightTag {
		return 0
	}
	return w * v.idf[term] / float64(v.tagSpread[term][u.track])
}

// Has reports whether the bank has questions of the track, level and
// language.
func (v *Vocabulary) Has(track, level, language string) bool {
	return v.has[[3]string{track, level, language}]
}
