package embedded

import (
	"sync"

	"github.com/mianshi/mianshi/questionbank"
)

// Filter fields with a bitmap per value.
const (
	fieldTrack = iota
	fieldLevel
	fieldLanguage
	fieldTopic
	numFields
)

func fieldValue(q questionbank.Question, field int) string {
	switch field {
	case fieldTrack:
		return q.Track
	case fieldLevel:
		return q.Level
	case fieldLanguage:
		return q.Language
	default:
		return q.Topic
	}
}

// posting lists the slots a term occurs in, with its count in each; df
// counts the live ones.
type posting struct {
	slots []uint32
	tfs   []uint16
	df    int
}

// index is the in-memory hybrid index. Slots are appended; a deleted or
// replaced question's slot is only marked dead, and compact rebuilds the
// index without them once they pile up.
type index struct {
	dims     int
	docs     []questionbank.Question
	vecs     []float32 // slot*dims
	lens     []uint32  // keyword terms per slot
	alive    bitmap
	byID     map[string]uint32
	postings map[string]*posting
	fields   [numFields]map[string]bitmap
	live     int
	dead     int
	totalLen int // keyword terms over live slots
	// scratchPool holds zeroed keyword score arrays (*[]float64).
	scratchPool sync.Pool
}

func newIndex(dims int) *index {
	ix := &index{dims: dims, byID: map[string]uint32{}, postings: map[string]*posting{}}
	for f := range ix.fields {
		ix.fields[f] = map[string]bitmap{}
	}
	return ix
}

// put adds q with its vector (of ix.dims values), replacing any question
// with the same id.
func (ix *index) put(q questionbank.Question, vec []float32) {
	if old, ok := ix.byID[q.ID]; ok {
		ix.remove(old)
	}
	slot := uint32(len(ix.docs))
	ix.docs = append(ix.docs, q)
	ix.vecs = append(ix.vecs, vec...)
	tf := map[string]uint16{}
	terms := questionbank.Terms(questionbank.IndexText(q))
	for _, t := range terms {
		if tf[t] < 1<<16-1 {
			tf[t]++
		}
	}
	for t, n := range tf {
		p := ix.postings[t]
		if p == nil {
			p = &posting{}
			ix.postings[t] = p
		}
		p.slots = append(p.slots, slot)
		p.tfs = append(p.tfs, n)
		p.df++
	}
	ix.lens = append(ix.lens, uint32(len(terms)))
	ix.totalLen += len(terms)
	for f := range ix.fields {
		v := fieldValue(q, f)
		b := ix.fields[f][v]
		b.set(slot)
		ix.fields[f][v] = b
	}
	ix.alive.set(slot)
	ix.byID[q.ID] = slot
	ix.live++
}

// remove marks slot dead.
func (ix *index) remove(slot uint32) {
	q := ix.docs[slot]
	seen := map[string]bool{}
	for _, t := range questionbank.Terms(questionbank.IndexText(q)) {
		if !seen[t] {
			seen[t] = true
			ix.postings[t].df--
		}
	}
	for f := range ix.fields {
		ix.fields[f][fieldValue(q, f)].clear(slot)
	}
	ix.alive.clear(slot)
	ix.totalLen -= int(ix.lens[slot])
	delete(ix.byID, q.ID)
	ix.live--
	ix.dead++
}

func (ix *index) vector(slot uint32) []float32 {
	return ix.vecs[int(slot)*ix.dims : int(slot+1)*ix.dims]
}

// needsCompaction reports whether dead slots take too much room.
func (ix *index) needsCompaction() bool {
	return ix.dead > 1024 && ix.dead > ix.live/4
}

// compacted returns the index rebuilt from its live questions, in slot
// order.
func (ix *index) compacted() *index {
	out := newIndex(ix.dims)
	ix.alive.each(func(slot uint32) { out.put(ix.docs[slot], ix.vector(slot)) })
	return out
}

// questions returns the live questions in slot order.
func (ix *index) questions() []questionbank.Question {
	qs := make([]questionbank.Question, 0, ix.live)
	ix.alive.each(func(slot uint32) { qs = append(qs, ix.docs[slot]) })
	return qs
}

// vectors returns the vectors of the live questions in slot order, flat.
func (ix *index) vectors() []float32 {
	vecs := make([]float32, 0, ix.live*ix.dims)
	ix.alive.each(func(slot uint32) { vecs = append(vecs, ix.vector(slot)...) })
	return vecs
}
