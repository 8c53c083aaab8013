package questionbank_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/mianshi/mianshi/questionbank"
)

func loadStarter(t *testing.T) *questionbank.Bank {
	t.Helper()
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatalf("LoadStarter: %v", err)
	}
	return bank
}

// allQuestions lists the bank through Search, which falls back across
// levels, so k = Len returns every question of a track and language.
func allQuestions(t *testing.T, bank *questionbank.Bank) []questionbank.Question {
	t.Helper()
	var out []questionbank.Question
	for _, info := range bank.Tracks() {
		for _, lang := range info.Languages {
			f := questionbank.Filter{Track: info.Track, Level: questionbank.Levels[0], Language: lang}
			qs, err := bank.Search(context.Background(), "", f, bank.Len())
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			out = append(out, qs...)
		}
	}
	if len(out) != bank.Len() {
		t.Fatalf("listed %d questions, the bank has %d", len(out), bank.Len())
	}
	return out
}

func TestLoadStarter(t *testing.T) {
	bank := loadStarter(t)
	if bank.Len() < 120 {
		t.Errorf("the starter bank has %d questions, want at least 120", bank.Len())
	}
	tracks := bank.Tracks()
	if len(tracks) < 6 {
		t.Errorf("the starter bank has %d tracks, want at least 6", len(tracks))
	}
	for _, info := range tracks {
		for _, level := range questionbank.Levels {
			for _, lang := range questionbank.Languages {
				if !bank.Has(info.Track, level, lang) {
					t.Errorf("track %s has no %s questions in %s", info.Track, level, lang)
				}
			}
		}
		if !slices.Equal(info.Levels, questionbank.Levels) || !slices.Equal(info.Languages, questionbank.Languages) {
			t.Errorf("track %s lists levels %q and languages %q, want all in order", info.Track, info.Levels, info.Languages)
		}
	}
	for _, q := range allQuestions(t, bank) {
		if err := q.Validate(); err != nil {
			t.Errorf("%s: %v", q.ID, err)
		}
		if n := len(q.KeyPoints); n < 3 || n > 6 {
			t.Errorf("%s has %d key points, want 3 to 6", q.ID, n)
		}
		for _, kp := range q.KeyPoints {
			if len(questionbank.Terms(kp)) == 0 {
				t.Errorf("%s: key point %q has no terms, so no answer can ever cover it", q.ID, kp)
			}
		}
		if hasHan(q.Question) != (q.Language == "zh") {
			t.Errorf("%s: language %s does not match the question %q", q.ID, q.Language, q.Question)
		}
		if got, ok := bank.Get(q.ID); !ok || !reflect.DeepEqual(got, q) {
			t.Errorf("Get(%q) = %+v, %v; want the question", q.ID, got, ok)
		}
	}
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

func TestTracksAreSorted(t *testing.T) {
	tracks := loadStarter(t).Tracks()
	if !slices.IsSortedFunc(tracks, func(a, b questionbank.TrackInfo) int { return strings.Compare(a.Track, b.Track) }) {
		t.Errorf("tracks are not sorted by name: %+v", tracks)
	}
	for _, info := range tracks {
		if !slices.IsSorted(info.Topics) || info.Questions == 0 {
			t.Errorf("track %s: topics %q not sorted or no questions", info.Track, info.Topics)
		}
	}
}

// TestSearchHardFilters checks every track, level and language of the
// starter bank: a search never returns another track or language, the
// requested level comes first, and only then the nearest levels.
func TestSearchHardFilters(t *testing.T) {
	bank := loadStarter(t)
	ctx := context.Background()
	for _, info := range bank.Tracks() {
		for _, level := range questionbank.Levels {
			for _, lang := range questionbank.Languages {
				t.Run(info.Track+"/"+level+"/"+lang, func(t *testing.T) {
					f := questionbank.Filter{Track: info.Track, Level: level, Language: lang}
					for _, k := range []int{1, 3, bank.Len()} {
						qs, err := bank.Search(ctx, "concurrency cache 并发", f, k)
						if err != nil {
							t.Fatalf("Search: %v", err)
						}
						if len(qs) == 0 || len(qs) > k {
							t.Fatalf("Search(k=%d) returned %d questions", k, len(qs))
						}
						sawOtherLevel := false
						for _, q := range qs {
							if q.Track != f.Track || q.Language != f.Language {
								t.Errorf("Search(%+v) returned %s (%s, %s)", f, q.ID, q.Track, q.Language)
							}
							if q.Level != level {
								sawOtherLevel = true
							} else if sawOtherLevel {
								t.Errorf("Search(%+v) returned %s of the requested level after another level", f, q.ID)
							}
						}
					}
				})
			}
		}
	}
}

func TestSearchUnknownTrackOrLanguage(t *testing.T) {
	bank := loadStarter(t)
	for _, f := range []questionbank.Filter{
		{Track: "cobol", Level: "mid", Language: "en"},
		{Track: "go-backend", Level: "mid", Language: "fr"},
		{Track: "go-backend", Level: "principal", Language: "en"},
		{},
	} {
		qs, err := bank.Search(context.Background(), "", f, 5)
		if err != nil || len(qs) != 0 {
			t.Errorf("Search(%+v) = %d questions, %v; want none", f, len(qs), err)
		}
	}
}

func TestSearchExclude(t *testing.T) {
	bank := loadStarter(t)
	ctx := context.Background()
	f := questionbank.Filter{Track: "go-backend", Level: "mid", Language: "en"}
	all, err := bank.Search(ctx, "", f, bank.Len())
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	for n := range all {
		f.Exclude = ids(all[:n])
		qs, err := bank.Search(ctx, "", f, bank.Len())
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		if len(qs) != len(all)-n {
			t.Errorf("excluding %d of %d returned %d", n, len(all), len(qs))
		}
		for _, q := range qs {
			if slices.Contains(f.Exclude, q.ID) {
				t.Errorf("Search returned excluded %s", q.ID)
			}
		}
	}
}

func ids(qs []questionbank.Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

func question(id, level, topic, text string) questionbank.Question {
	return questionbank.Question{
		ID: id, Track: "go", Level: level, Language: "en", Topic: topic,
		Question: text, KeyPoints: []string{"a key point"},
	}
}

// testQuestions are a few questions per level with distinct topics and
// words, in no particular order, and two of other tracks and languages.
func testQuestions() []questionbank.Question {
	return []questionbank.Question{
		question("j1", "junior", "errors", "How are errors handled?"),
		question("m3", "mid", "channels", "When do channels block?"),
		question("m1", "mid", "concurrency", "How do goroutines differ from threads?"),
		question("m2", "mid", "errors", "When should errors be wrapped?"),
		question("m4", "mid", "channels", "Who should close a channel?"),
		question("s1", "senior", "concurrency", "How would you design a worker pool of goroutines?"),
		{ID: "zh1", Track: "go", Level: "mid", Language: "zh", Topic: "channels", Question: "谁应该关闭 channel？", KeyPoints: []string{"发送方关闭"}},
		{ID: "py1", Track: "python", Level: "mid", Language: "en", Topic: "errors", Question: "How are exceptions raised?", KeyPoints: []string{"raise"}},
	}
}

// smallBank is a bank of testQuestions.
func smallBank(t *testing.T) *questionbank.Bank {
	t.Helper()
	bank, err := questionbank.New(testQuestions())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return bank
}

func TestSearchRanking(t *testing.T) {
	bank := smallBank(t)
	mid := questionbank.Filter{Track: "go", Level: "mid", Language: "en"}
	tests := []struct {
		name  string
		query string
		f     questionbank.Filter
		k     int
		want  []string
	}{
		{"by id without a query", "", mid, 4, []string{"m1", "m2", "m3", "m4"}},
		{"query terms rank first", "close the channel", mid, 4, []string{"m4", "m3", "m1", "m2"}},
		{"topic and tags count as query terms", "errors", mid, 2, []string{"m2", "m1"}},
		{"avoided topics rank last", "", questionbank.Filter{Track: "go", Level: "mid", Language: "en", AvoidTopics: []string{"concurrency", "channels"}}, 4, []string{"m2", "m1", "m3", "m4"}},
		{"avoiding beats the query", "close the channel", questionbank.Filter{Track: "go", Level: "mid", Language: "en", AvoidTopics: []string{"channels"}}, 4, []string{"m1", "m2", "m4", "m3"}},
		{"mid falls back to senior, then junior", "", mid, 10, []string{"m1", "m2", "m3", "m4", "s1", "j1"}},
		{"junior falls back to mid, then senior", "", questionbank.Filter{Track: "go", Level: "junior", Language: "en"}, 3, []string{"j1", "m1", "m2"}},
		{"senior falls back to mid", "", questionbank.Filter{Track: "go", Level: "senior", Language: "en", Exclude: []string{"s1"}}, 2, []string{"m1", "m2"}},
		{"exclusions fall back too", "", questionbank.Filter{Track: "go", Level: "mid", Language: "en", Exclude: []string{"m1", "m2", "m3", "m4"}}, 1, []string{"s1"}},
		{"language is a hard filter", "", questionbank.Filter{Track: "go", Level: "mid", Language: "zh"}, 5, []string{"zh1"}},
		{"chinese query", "关闭", questionbank.Filter{Track: "go", Level: "senior", Language: "zh"}, 5, []string{"zh1"}},
		{"track is a hard filter", "goroutines", questionbank.Filter{Track: "python", Level: "mid", Language: "en"}, 5, []string{"py1"}},
		{"k = 0", "", mid, 0, nil},
		{"k < 0", "", mid, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, err := bank.Search(context.Background(), tt.query, tt.f, tt.k)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if got := ids(qs); !slices.Equal(got, tt.want) || (tt.want == nil) != (qs == nil) {
				t.Errorf("Search(%q, %+v, %d) = %q, want %q", tt.query, tt.f, tt.k, got, tt.want)
			}
		})
	}
}

func TestSearchIsDeterministic(t *testing.T) {
	starter := allQuestions(t, loadStarter(t))
	reversed := slices.Clone(starter)
	slices.Reverse(reversed)
	a, err := questionbank.New(starter)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	b, err := questionbank.New(reversed)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f := questionbank.Filter{Track: "go-backend", Level: "senior", Language: "en", AvoidTopics: []string{"concurrency"}, Exclude: []string{"go-backend-senior-en-01"}}
	for _, query := range []string{"", "context cancellation goroutine", "缓存"} {
		first, err := a.Search(context.Background(), query, f, 8)
		if err != nil {
			t.Fatalf("Search: %v", err)
		}
		for _, bank := range []*questionbank.Bank{a, a, b} {
			again, err := bank.Search(context.Background(), query, f, 8)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if !slices.Equal(ids(again), ids(first)) {
				t.Errorf("Search(%q) gave %q, then %q", query, ids(first), ids(again))
			}
		}
	}
}

func TestSearchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := smallBank(t).Search(ctx, "", questionbank.Filter{Track: "go", Level: "mid", Language: "en"}, 3)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Search with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestNew(t *testing.T) {
	valid := question("q1", "mid", "errors", "Q?")
	with := func(change func(*questionbank.Question)) questionbank.Question {
		q := valid
		change(&q)
		return q
	}
	tests := []struct {
		name    string
		qs      []questionbank.Question
		wantErr string
	}{
		{"valid", []questionbank.Question{valid, with(func(q *questionbank.Question) { q.ID = "q2" })}, ""},
		{"empty", nil, ""},
		{"duplicate id", []questionbank.Question{valid, with(func(q *questionbank.Question) { q.Question = "Other?" })}, "duplicate id q1"},
		{"empty id", []questionbank.Question{with(func(q *questionbank.Question) { q.ID = " " })}, "id is empty"},
		{"empty track", []questionbank.Question{with(func(q *questionbank.Question) { q.Track = "" })}, "q1: track is empty"},
		{"unknown level", []questionbank.Question{with(func(q *questionbank.Question) { q.Level = "staff" })}, `level "staff" is not one of junior, mid, senior`},
		{"unknown language", []questionbank.Question{with(func(q *questionbank.Question) { q.Language = "fr" })}, `language "fr" is not one of en, zh`},
		{"empty topic", []questionbank.Question{with(func(q *questionbank.Question) { q.Topic = "" })}, "q1: topic is empty"},
		{"empty question", []questionbank.Question{with(func(q *questionbank.Question) { q.Question = "\n" })}, "q1: question is empty"},
		{"no key points", []questionbank.Question{with(func(q *questionbank.Question) { q.KeyPoints = nil })}, "q1: no key points"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bank, err := questionbank.New(tt.qs)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if bank.Len() != len(tt.qs) {
					t.Errorf("Len = %d, want %d", bank.Len(), len(tt.qs))
				}
				return
			}
			if !errors.Is(err, questionbank.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New error = %v, want ErrInvalid containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewCopiesItsInput(t *testing.T) {
	qs := []questionbank.Question{question("q1", "mid", "errors", "Original?")}
	bank, err := questionbank.New(qs)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	qs[0].Question = "Changed?"
	if got, _ := bank.Get("q1"); got.Question != "Original?" {
		t.Errorf("changing the input changed the bank: %q", got.Question)
	}
	if _, ok := bank.Get("missing"); ok {
		t.Error("Get of a missing id reported ok")
	}
}

const (
	goodLine  = `{"id": "a1", "track": "go", "level": "mid", "language": "en", "topic": "errors", "question": "Q1?", "key_points": ["wrap errors"]}`
	goodLine2 = `{"id": "a2", "track": "go", "level": "mid", "language": "en", "topic": "errors", "question": "Q2?", "key_points": ["wrap errors"]}`
)

func TestLoadFS(t *testing.T) {
	tests := []struct {
		name    string
		files   fstest.MapFS
		wantLen int
		wantErr []string
	}{
		{
			name: "two files, blank lines and other files ignored",
			files: fstest.MapFS{
				"qs/a.jsonl":  {Data: []byte(goodLine + "\n\n  \n")},
				"qs/b.jsonl":  {Data: []byte("\n" + goodLine2)},
				"qs/notes.md": {Data: []byte("not a question")},
			},
			wantLen: 2,
		},
		{name: "empty directory", files: fstest.MapFS{}, wantLen: 0},
		{
			name:    "malformed JSON",
			files:   fstest.MapFS{"qs/a.jsonl": {Data: []byte(goodLine + "\n\n" + goodLine2 + "\n{not json\n")}},
			wantErr: []string{"qs/a.jsonl: line 4:"},
		},
		{
			name:    "unknown field",
			files:   fstest.MapFS{"qs/a.jsonl": {Data: []byte(`{"id": "a1", "answer": "x"}`)}},
			wantErr: []string{"qs/a.jsonl: line 1:", `unknown field "answer"`},
		},
		{
			name:    "invalid question",
			files:   fstest.MapFS{"qs/a.jsonl": {Data: []byte(goodLine + "\n" + strings.Replace(goodLine2, `"mid"`, `"staff"`, 1))}},
			wantErr: []string{"qs/a.jsonl: line 2:", "invalid question", `level "staff"`},
		},
		{
			name:    "two questions on one line",
			files:   fstest.MapFS{"qs/a.jsonl": {Data: []byte(goodLine + goodLine2 + "\n")}},
			wantErr: []string{"qs/a.jsonl: line 1:", "unexpected data after the question"},
		},
		{
			name:    "trailing garbage",
			files:   fstest.MapFS{"qs/a.jsonl": {Data: []byte(goodLine + "\n" + goodLine2 + " ,\n")}},
			wantErr: []string{"qs/a.jsonl: line 2:", "unexpected data after the question"},
		},
		{
			name: "duplicate across files",
			files: fstest.MapFS{
				"qs/a.jsonl": {Data: []byte(goodLine)},
				"qs/b.jsonl": {Data: []byte(goodLine)},
			},
			wantErr: []string{"duplicate id a1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bank, err := questionbank.LoadFS(tt.files, "qs")
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("LoadFS: %v", err)
				}
				if bank.Len() != tt.wantLen {
					t.Errorf("Len = %d, want %d", bank.Len(), tt.wantLen)
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadFS succeeded, want an error containing %q", tt.wantErr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("LoadFS error %q does not contain %q", err, w)
				}
			}
		})
	}
}
