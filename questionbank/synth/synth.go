// Package synth generates synthetic question banks of any size, for
// benchmarks: deterministic for a seed, spread over tracks, levels,
// languages and topics like a real bank, with a vocabulary that repeats
// the way real questions do (a few common words, many rare ones).
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/mianshi/mianshi/questionbank"
)

var tracks = []string{"go-backend", "java-backend", "python-backend", "frontend", "system-design",
	"behavioral", "devops-sre", "data-engineering", "mobile", "security"}

var topicWords = []string{"concurrency", "memory", "caching", "database", "testing", "networking", "security",
	"observability", "performance", "architecture", "queues", "storage", "scheduling", "reliability", "api-design"}

var verbs = []string{"design", "debug", "scale", "test", "profile", "secure", "migrate", "monitor", "optimize",
	"shard", "cache", "replicate", "deploy", "refactor", "benchmark", "isolate", "recover", "partition"}

var frames = []string{
	"How would you %s %s when %s?",
	"What happens to %[2]s if you %[1]s it while %[3]s?",
	"Explain how to %s a %s so that %s.",
	"A team asks you to %s their %s; %s. What do you do?",
}

var zhTerms = []string{"并发", "内存", "缓存", "数据库", "测试", "网络", "安全", "监控", "性能", "架构", "队列", "存储",
	"调度", "可靠性", "接口", "分片", "复制", "部署", "重构", "事务", "索引", "锁", "协程", "线程", "连接池", "限流",
	"熔断", "降级", "日志", "指标", "链路", "容器", "集群", "选主", "一致性", "幂等", "重试", "超时", "背压", "压缩"}

// vocabulary returns n made-up technical nouns, deterministic.
func vocabulary(r *rand.Rand, n int) []string {
	syll := []string{"ka", "ro", "ten", "vex", "lo", "mir", "sa", "dun", "pi", "gor", "ul", "zen", "tra", "bo", "quin", "ex", "fa", "net"}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range 2 + r.IntN(2) {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		out[i] = fmt.Sprintf("%s%d", b.String(), i%97)
	}
	return out
}

// zipf picks from list with a skew: early entries are common.
func zipf(r *rand.Rand, z *rand.Zipf, list []string) string {
	return list[int(z.Uint64())%len(list)]
}

// Generate returns n questions for seed.
func Generate(n int, seed uint64) []questionbank.Question {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vocab := vocabulary(r, 20000)
	z := rand.NewZipf(r, 1.1, 8, uint64(len(vocab)-1))
	out := make([]questionbank.Question, n)
	for i := range out {
		track := tracks[i%len(tracks)]
		level := questionbank.Levels[(i/len(tracks))%len(questionbank.Levels)]
		lang := questionbank.Languages[(i/(len(tracks)*len(questionbank.Levels)))%len(questionbank.Languages)]
		topic := topicWords[r.IntN(len(topicWords))]
		q := questionbank.Question{
			ID: fmt.Sprintf("syn-%06d", i), Track: track, Level: level, Language: lang, Topic: topic,
			Tags: []string{zipf(r, z, vocab), zipf(r, z, vocab)},
		}
		if lang == "en" {
			obj := zipf(r, z, vocab) + " " + zipf(r, z, vocab)
			cond := fmt.Sprintf("the %s %s under %s load", zipf(r, z, vocab), topic, zipf(r, z, vocab))
			q.Question = fmt.Sprintf(frames[r.IntN(len(frames))], verbs[r.IntN(len(verbs))], obj, cond)
			q.KeyPoints = []string{
				verbs[r.IntN(len(verbs))] + " the " + zipf(r, z, vocab),
				"measure " + zipf(r, z, vocab) + " before changing " + zipf(r, z, vocab),
				topic + " trade-offs of " + zipf(r, z, vocab),
			}
		} else {
			t := func() string { return zhTerms[r.IntN(len(zhTerms))] }
			q.Question = fmt.Sprintf("在%s场景下，如何处理%s和%s的%s问题？%s 需要注意什么？", t(), t(), t(), t(), zipf(r, z, vocab))
			q.KeyPoints = []string{t() + "与" + t(), "先" + t() + "再" + t(), zipf(r, z, vocab) + "的" + t()}
		}
		out[i] = q
	}
	return out
}

// Query is a benchmark search: words from one question with its track,
// level and language as hard filters.
type Query struct {
	Text   string
	Filter questionbank.Filter
}

// Queries returns n searches over qs, each made of a few words of a
// random question, filtered to that question's track, level and
// language.
func Queries(qs []questionbank.Question, n int, seed uint64) []Query {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]Query, n)
	for i := range out {
		q := qs[r.IntN(len(qs))]
		words := strings.Fields(q.Question + " " + strings.Join(q.KeyPoints, " "))
		start := r.IntN(max(1, len(words)-3))
		out[i] = Query{
			Text:   strings.Join(words[start:min(len(words), start+2+r.IntN(3))], " "),
			Filter: questionbank.Filter{Track: q.Track, Level: q.Level, Language: q.Language},
		}
	}
	return out
}
