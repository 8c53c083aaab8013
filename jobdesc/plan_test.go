package jobdesc

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mianshi/mianshi/questionbank"
)

var shipped = sync.OnceValue(func() *Vocabulary {
	qs, err := questionbank.Starter()
	if err != nil {
		panic(err)
	}
	return NewVocabulary(qs)
})

const dataPlatformEN = `Senior Data Engineer — Data Platform

About the role:
You will build and run the batch and streaming pipelines behind our analytics.

Requirements:
- 5+ years building data pipelines with Apache Spark (PySpark or Scala)
- Streaming with Kafka: topics, partitions, consumer groups, exactly-once delivery
- Orchestrating workflows with Airflow DAGs, backfills and retries
- Strong communication skills; fluent German and a driving licence
`

const dataPlatformZH = `高级数据开发工程师（数据平台）

岗位职责：
1. 负责基于 Spark 的离线数仓建设与性能调优
2. 负责 Kafka 实时数据接入与 Flink 流处理
3. 使用 Airflow 编排调度任务，保障数据质量
任职要求：
1. 5年以上大数据开发经验
2. 良好的沟通能力，有驾照
`

func TestDataPlatformPlansDataEngineering(t *testing.T) {
	for _, tc := range []struct {
		name, text, language string
	}{
		{"english", dataPlatformEN, "en"},
		{"chinese", dataPlatformZH, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := shipped().PlanOffline(tc.text, tc.language)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.MarshalIndent(p, "", "  ")
			t.Logf("%s", out)
			if p.Track != "data-engineering" || p.Level != "senior" {
				t.Fatalf("planned %s/%s, want data-engineering/senior", p.Track, p.Level)
			}
			for _, want := range []string{"spark", "kafka", "orchestration"} {
				if !slices.Contains(p.TopicNames(), want) {
					t.Errorf("topics %v lack %s", p.TopicNames(), want)
				}
			}
			sum := 0.0
			for _, topic := range p.Topics {
				sum += topic.Weight
				if len(topic.Phrases) == 0 {
					t.Errorf("topic %s has no phrase", topic.Topic)
				}
				for _, ph := range topic.Phrases {
					if !strings.Contains(tc.text, ph) {
						t.Errorf("topic %s quotes %q, which the description does not contain", topic.Topic, ph)
					}
				}
			}
			if sum < 0.999 || sum > 1.001 {
				t.Errorf("weights add up to %v", sum)
			}
			if !slices.ContainsFunc(p.Uncovered, func(s string) bool { return strings.Contains(s, "licence") || strings.Contains(s, "驾照") }) {
				t.Errorf("uncovered %q lacks the driving licence", p.Uncovered)
			}
		})
	}
}

func TestPhrasesLeadToTheirTopics(t *testing.T) {
	p, err := shipped().PlanOffline(dataPlatformEN, "en")
	if err != nil {
		t.Fatal(err)
	}
	for topic, phrase := range map[string]string{"spark": "Spark", "kafka": "Kafka", "orchestration": "Airflow"} {
		i := slices.IndexFunc(p.Topics, func(x Topic) bool { return x.Topic == topic })
		if i < 0 || !slices.Contains(p.Topics[i].Phrases, phrase) {
			t.Errorf("topic %s: phrases do not include %q: %+v", topic, phrase, p.Topics)
		}
	}
}

func TestOtherTracks(t *testing.T) {
	for text, want := range map[string]string{
		"Frontend engineer: React, TypeScript, CSS layout, accessibility and web performance.":            "frontend",
		"SRE: run Kubernetes clusters, Prometheus alerting, on-call incident response, Terraform.":        "devops-sre",
		"Go developer: goroutines, channels, context cancellation, gRPC services, pprof profiling.":       "go-backend",
		"Java 后端工程师：熟悉 JVM 调优、Spring Boot、并发编程与 MySQL 索引优化。":                                              "java-backend",
		"Python backend engineer with Django, FastAPI, asyncio and Celery; junior, 1 year of experience.": "python-backend",
	} {
		p, err := shipped().PlanOffline(text, "")
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if p.Track != want {
			t.Errorf("%q: track %s, want %s (topics %v)", text, p.Track, want, p.TopicNames())
		}
	}
}

func TestLevel(t *testing.T) {
	for text, want := range map[string]string{
		"Junior Spark developer":             "junior",
		"3 years of Kafka":                   "mid",
		"8+ years of Spark":                  "senior",
		"Spark and Kafka":                    "mid",
		"熟悉 Spark，3年以上经验":                    "mid",
		"资深数据工程师，熟悉 Kafka":                   "senior",
		"Staff engineer: 1 year of Airflow?": "junior",
	} {
		p, err := shipped().PlanOffline(text, "")
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if p.Level != want {
			t.Errorf("%q: level %s (%s), want %s", text, p.Level, p.LevelReason, want)
		}
	}
}

func TestRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		text string
		want error
	}{
		"empty":     {"", ErrEmpty},
		"blank":     {" \n\t- • \n", ErrEmpty},
		"too long":  {strings.Repeat("Spark and Kafka. ", 6000), ErrTooLong},
		"unrelated": {"Lorem ipsum dolor sit amet qwzx", ErrNoMatch},
	} {
		if _, err := shipped().PlanOffline(tc.text, "en"); !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", name, err, tc.want)
		}
	}
}

func TestSamePlanForSameText(t *testing.T) {
	a, _ := shipped().PlanOffline(dataPlatformZH, "zh")
	b, _ := NewVocabulary(mustStarter(t)).PlanOffline(dataPlatformZH, "zh")
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("plans differ:\n%s\n%s", ja, jb)
	}
}

func mustStarter(t *testing.T) []questionbank.Question {
	t.Helper()
	qs, err := questionbank.Starter()
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func TestScheduleFollowsWeights(t *testing.T) {
	topics := []Topic{{Topic: "spark", Weight: 0.5}, {Topic: "kafka", Weight: 0.3}, {Topic: "sql", Weight: 0.2}}
	count := map[string]int{}
	var order []string
	for n := range 10 {
		s := Schedule(topics, n)
		count[s]++
		order = append(order, s)
	}
	if count["spark"] != 5 || count["kafka"] != 3 || count["sql"] != 2 {
		t.Fatalf("ten questions by topic: %v (%v)", count, order)
	}
	for i := 2; i < len(order); i++ {
		if order[i] == order[i-1] && order[i] == order[i-2] {
			t.Fatalf("three in a row: %v", order)
		}
	}
	if Schedule(nil, 3) != "" {
		t.Fatal("an empty plan schedules a topic")
	}
}

func TestKeptTrackAndLevel(t *testing.T) {
	p, err := shipped().Plan(dataPlatformEN, "en", "system-design", "junior")
	if err != nil {
		t.Fatal(err)
	}
	if p.Track != "system-design" || p.Level != "junior" || len(p.Topics) == 0 {
		t.Fatalf("plan %s/%s with %v", p.Track, p.Level, p.TopicNames())
	}
}

func TestReadResume(t *testing.T) {
	p, err := shipped().PlanOffline(dataPlatformEN, "en")
	if err != nil {
		t.Fatal(err)
	}
	p.ReadResume([]string{"Go", "Apache Spark", "Clickstream pipeline: Kafka to S3, 2B events a day", "Piano"})
	got := map[string][]string{}
	for _, r := range p.Requirements {
		got[r.Text] = r.Resume
	}
	spark := got["5+ years building data pipelines with Apache Spark (PySpark or Scala)"]
	kafka := got["Streaming with Kafka: topics, partitions, consumer groups, exactly-once delivery"]
	if !slices.Contains(spark, "Apache Spark") || !slices.Contains(kafka, "Clickstream pipeline: Kafka to S3, 2B events a day") {
		t.Fatalf("résumé read against the requirements: %q", got)
	}
	for text, items := range got {
		if slices.Contains(items, "Piano") || slices.Contains(items, "Go") {
			t.Errorf("%q shows %q", text, items)
		}
	}
}
