package questionbank_test

import (
	"slices"
	"testing"

	"github.com/mianshi/mianshi/questionbank"
)

func TestTerms(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", nil},
		{"lower-cases", "Channel", []string{"channel"}},
		{"plural and singular stem alike", "goroutines goroutine", []string{"goroutin", "goroutin"}},
		{"past tense, one l or two", "cancelled canceled cancel cancelling", []string{"cancel", "cancel", "cancel", "cancel"}},
		{"past tense of a word ending in le", "scheduled schedule schedules scheduling", []string{"schedul", "schedul", "schedul", "schedul"}},
		{"past tense of a word ending in ll", "installed install installs", []string{"instal", "instal", "instal"}},
		{"modelled and modeled", "modelled modeled modelling model", []string{"model", "model", "model", "model"}},
		{"ies becomes y", "queries query", []string{"query", "query"}},
		{"ing", "caching cache", []string{"cach", "cach"}},
		{"ation and ations", "configuration configurations", []string{"configur", "configur"}},
		{"short words are not stemmed", "uses bus", []string{"uses", "bus"}},
		{"words under three letters dropped", "go is a db", nil},
		{"stop words dropped", "What would you do with the goroutine and the channel?", []string{"goroutin", "channel"}},
		{"stop words dropped before stemming", "THESE Those", nil},
		{"punctuation splits words", "sync.WaitGroup, errgroup!", []string{"sync", "waitgroup", "errgroup"}},
		{"digits stay in words", "HTTP2 and SHA256 on k8s", []string{"http2", "sha256", "k8s"}},
		{"numbers alone are words", "port 8080", []string{"port", "8080"}},
		{"version numbers split at the dot", "v1.2", nil},
		{"single Han character", "好", []string{"好"}},
		{"Han bigrams", "无缓冲", []string{"无缓", "缓冲"}},
		{"Han bigrams overlap", "协程和线程", []string{"协程", "程和", "和线", "线程"}},
		{"Han punctuation splits runs", "协程，线程", []string{"协程", "线程"}},
		{"Han and Latin mixed", "Go语言的goroutine", []string{"语言", "言的", "goroutin"}},
		{"Latin word between Han runs", "使用channel通信", []string{"使用", "channel", "通信"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := questionbank.Terms(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("Terms(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestLetters(t *testing.T) {
	for _, c := range []struct {
		text         string
		han, letters int
	}{
		{"", 0, 0},
		{"GC 3 次", 1, 3},
		{"用 pprof 看 goroutine", 2, 16},
		{"1, 2; ...", 0, 0},
	} {
		if han, letters := questionbank.Letters(c.text); han != c.han || letters != c.letters {
			t.Errorf("Letters(%q) = %d, %d; want %d, %d", c.text, han, letters, c.han, c.letters)
		}
	}
}
