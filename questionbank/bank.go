package questionbank

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

//go:embed data/*.jsonl
var starter embed.FS

// Bank is an in-memory question bank. It is safe for concurrent reads.
type Bank struct {
	questions []Question
	byID      map[string]int
}

// Filter narrows a search. Track, Level, Language and Topic are hard
// filters (a store treats an empty one as "any"); Exclude lists ids that
// must not come back (questions already asked) and ExcludeTopics topics
// that must not.
type Filter struct {
	Track    string   `json:"track"`
	Level    string   `json:"level"`
	Language string   `json:"language"`
	Topic    string   `json:"topic,omitempty"`
	Exclude  []string `json:"exclude,omitempty"`
	// ExcludeTopics drops questions on these topics.
	ExcludeTopics []string `json:"exclude_topics,omitempty"`
	// AvoidTopics ranks questions on these topics last, so an interview
	// moves across topics instead of staying on one. It is a preference,
	// not a filter: Catalog applies it, stores ignore it.
	AvoidTopics []string `json:"avoid_topics,omitempty"`
}

// Matches reports whether q passes the hard filters of f, with empty
// fields matching anything.
func (f Filter) Matches(q Question) bool {
	return (f.Track == "" || q.Track == f.Track) &&
		(f.Level == "" || q.Level == f.Level) &&
		(f.Language == "" || q.Language == f.Language) &&
		(f.Topic == "" || q.Topic == f.Topic) &&
		!slices.Contains(f.Exclude, q.ID) &&
		!slices.Contains(f.ExcludeTopics, q.Topic)
}

// TrackInfo describes one track of the bank.
type TrackInfo struct {
	Track     string   `json:"track"`
	Levels    []string `json:"levels"`
	Languages []string `json:"languages"`
	Topics    []string `json:"topics"`
	Questions int      `json:"questions"`
}

// LoadStarter returns the bank that ships inside the binary.
func LoadStarter() (*Bank, error) {
	return LoadFS(starter, "data")
}

// LoadFS reads every *.jsonl file in dir of fsys into a bank.
func LoadFS(fsys fs.FS, dir string) (*Bank, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, fmt.Errorf("list question files: %w", err)
	}
	var qs []Question
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		parsed, err := parseJSONL(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		qs = append(qs, parsed...)
	}
	return New(qs)
}

// New builds a bank from questions, rejecting invalid or duplicate ones.
func New(qs []Question) (*Bank, error) {
	b := &Bank{questions: slices.Clone(qs), byID: make(map[string]int, len(qs))}
	for i, q := range b.questions {
		if err := q.Validate(); err != nil {
			return nil, err
		}
		if _, dup := b.byID[q.ID]; dup {
			return nil, fmt.Errorf("%w: duplicate id %s", ErrInvalid, q.ID)
		}
		b.byID[q.ID] = i
	}
	return b, nil
}

func parseJSONL(data []byte) ([]Question, error) {
	var qs []Question
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var q Question
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			// Two questions run together on one line would lose the second.
			return nil, fmt.Errorf("line %d: unexpected data after the question", line)
		}
		if err := q.Validate(); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return qs, nil
}

// Len returns the number of questions in the bank.
func (b *Bank) Len() int { return len(b.questions) }

// Get returns the question with the given id.
func (b *Bank) Get(id string) (Question, bool) {
	i, ok := b.byID[id]
	if !ok {
		return Question{}, false
	}
	return b.questions[i], true
}

// Tracks lists the tracks with the levels, languages and topics each has.
func (b *Bank) Tracks() []TrackInfo {
	byTrack := map[string]*TrackInfo{}
	for _, q := range b.questions {
		t := byTrack[q.Track]
		if t == nil {
			t = &TrackInfo{Track: q.Track}
			byTrack[q.Track] = t
		}
		t.Questions++
		t.Levels = appendUnique(t.Levels, q.Level)
		t.Languages = appendUnique(t.Languages, q.Language)
		t.Topics = appendUnique(t.Topics, q.Topic)
	}
	out := make([]TrackInfo, 0, len(byTrack))
	for _, t := range byTrack {
		sortByOrder(t.Levels, Levels)
		sortByOrder(t.Languages, Languages)
		sort.Strings(t.Topics)
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Track < out[j].Track })
	return out
}

// Has reports whether the bank has questions for the track, level and language.
func (b *Bank) Has(track, level, language string) bool {
	for _, q := range b.questions {
		if q.Track == track && q.Level == level && q.Language == language {
			return true
		}
	}
	return false
}

// Search returns up to k questions that pass the hard filters, ranked with
// topics to avoid last, then by how many query terms they share, then by id, so
// the same inputs always give the same answer. When the level has fewer
// than k questions left, the nearest levels of the same track and language
// fill the rest: a long interview runs out of one level before it runs out
// of questions.
func (b *Bank) Search(ctx context.Context, query string, f Filter, k int) ([]Question, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if k <= 0 {
		return nil, nil
	}
	queryTerms := termSet(query)
	var out []Question
	for _, level := range levelsByDistance(f.Level) {
		var matches []scored
		for _, q := range b.questions {
			if q.Track != f.Track || q.Level != level || q.Language != f.Language || slices.Contains(f.Exclude, q.ID) ||
				f.Topic != "" && q.Topic != f.Topic || slices.Contains(f.ExcludeTopics, q.Topic) {
				continue
			}
			matches = append(matches, scored{q: q, overlap: overlap(queryTerms, q), avoid: slices.Contains(f.AvoidTopics, q.Topic)})
		}
		sort.Slice(matches, func(i, j int) bool { return matches[i].less(matches[j]) })
		for _, m := range matches {
			if len(out) == k {
				return out, nil
			}
			out = append(out, m.q)
		}
	}
	return out, nil
}

type scored struct {
	q       Question
	overlap int
	avoid   bool
}

func (a scored) less(b scored) bool {
	if a.avoid != b.avoid {
		return !a.avoid
	}
	if a.overlap != b.overlap {
		return a.overlap > b.overlap
	}
	return a.q.ID < b.q.ID
}

func overlap(query map[string]bool, q Question) int {
	if len(query) == 0 {
		return 0
	}
	n := 0
	for t := range termSet(q.Question + " " + q.Topic + " " + strings.Join(q.Tags, " ")) {
		if query[t] {
			n++
		}
	}
	return n
}

func termSet(text string) map[string]bool {
	set := map[string]bool{}
	for _, t := range Terms(text) {
		set[t] = true
	}
	return set
}

// levelsByDistance returns level first, then the other levels nearest to it.
func levelsByDistance(level string) []string {
	at := slices.Index(Levels, level)
	if at < 0 {
		return []string{level}
	}
	out := []string{level}
	for d := 1; d < len(Levels); d++ {
		if at+d < len(Levels) {
			out = append(out, Levels[at+d])
		}
		if at-d >= 0 {
			out = append(out, Levels[at-d])
		}
	}
	return out
}

func appendUnique(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func sortByOrder(list, order []string) {
	sort.Slice(list, func(i, j int) bool { return slices.Index(order, list[i]) < slices.Index(order, list[j]) })
}
