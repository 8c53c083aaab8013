package resume

import (
	"context"
	"slices"
	"testing"
	"time"
)

// testNow is the day the tests read "present" and "至今" as.
var testNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func TestOfflineProfile(t *testing.T) {
	tests := []struct {
		file string
		want Profile
	}{
		{"en.md", Profile{
			Name: "Alice Chen", YearsExperience: 7,
			Skills: []string{"Go", "Python", "SQL", "Kubernetes", "Docker", "PostgreSQL", "Redis"},
			Projects: []Project{
				{Name: "Mianshi", Description: "AI interview platform on Temporal; streams questions over SSE."},
				{Name: "Ledger Service", Description: "Double-entry ledger handling 2k payments per second."},
			},
			Education: []string{"B.S. Computer Science, Tsinghua University, 2016"},
			Languages: []string{"English (fluent)", "Mandarin (native)"},
		}},
		{"zh.txt", Profile{
			Name: "王小明", YearsExperience: 5,
			Skills: []string{"Go", "Python", "MySQL", "Kubernetes", "Docker", "Redis"},
			Projects: []Project{
				{Name: "分布式任务调度系统", Description: "基于 Go 和 etcd 实现的任务调度平台，日调度百万任务。"},
				{Name: "在线面试平台", Description: "使用 Temporal 编排面试流程。"},
			},
			Education: []string{"2012-2016 北京大学 计算机科学与技术 本科"},
			Languages: []string{"英语（CET-6）", "普通话"},
		}},
		{"en.txt", Profile{
			Name: "Bob Martin", YearsExperience: 7, // 2019 – now
			Skills: []string{"Spark", "Airflow", "Scala", "Kafka"},
			Projects: []Project{
				{Name: "Clickstream pipeline", Description: "real-time ingestion of 1B events a day."},
				{Name: "Feature store", Description: "shared features for ML models."},
			},
			Education: []string{"M.Sc. Data Science, University of Edinburgh"},
			Languages: []string{"English", "French"},
		}},
		{"en-plain.txt", Profile{
			Name: "JOHN DOE", YearsExperience: 10,
			Skills: []string{"Go", "Python", "Java", "Docker", "Kubernetes", "Terraform"},
			Projects: []Project{
				{Name: "OpenTrace", Description: "distributed tracing library in Go. 2k stars."},
				{Name: "Hermes", Description: "chat bot sole developer"},
			},
			Education: []string{"Stanford University — M.S. Computer Science, 2012", "UC Berkeley — B.S. EECS, 2010"},
			Languages: []string{},
		}},
		{"zh-plain.txt", Profile{
			Name: "张三", YearsExperience: 7, // 2019.07 – 至今
			Skills:    []string{"Go", "Gin", "gRPC", "MySQL", "Redis", "Kafka"},
			Projects:  []Project{{Name: "推荐系统重构", Description: "将推荐系统从 Python 迁移到 Go。设计服务拆分。"}},
			Education: []string{"2015.09-2019.06 浙江大学 计算机科学 本科"},
			Languages: []string{},
		}},
		{"zh.md", Profile{
			Name: "李雷", YearsExperience: 8,
			Skills: []string{"Go", "Rust", "gRPC", "PostgreSQL"},
			Projects: []Project{
				{Name: "支付网关", Description: "支撑每秒一万笔交易的支付网关。"},
				{Name: "日志平台", Description: "基于 ClickHouse 的日志检索平台。"},
			},
			Education: []string{"浙江大学 软件工程 硕士"},
			Languages: []string{"中文", "英语"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			text, err := extractFile(t, tt.file, readFixture(t, tt.file), DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			assertProfile(t, OfflineProfileAt(text, testNow), tt.want)
		})
	}
}

func assertProfile(t *testing.T, got, want Profile) {
	t.Helper()
	if got.Name != want.Name || got.YearsExperience != want.YearsExperience {
		t.Errorf("name, years = %q, %d; want %q, %d", got.Name, got.YearsExperience, want.Name, want.YearsExperience)
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"skills", got.Skills, want.Skills}, {"education", got.Education, want.Education}, {"languages", got.Languages, want.Languages}} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if !slices.Equal(got.Projects, want.Projects) {
		t.Errorf("projects = %+v, want %+v", got.Projects, want.Projects)
	}
}

// TestOfflineProfileFromPDFAndDOCX runs the whole pipeline on binary formats.
func TestOfflineProfileFromPDFAndDOCX(t *testing.T) {
	pdfText, err := Extract(context.Background(), FormatPDF, buildPDF(t, resumePages, pdfOptions{}), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	assertProfile(t, OfflineProfile(pdfText), Profile{
		Name: "Carol Zhang", YearsExperience: 6,
		Skills:    []string{"Go", "Kubernetes", "PostgreSQL", "分布式系统", "消息队列"},
		Projects:  []Project{{Name: "Orbit", Description: "a deployment tool used by 40 teams."}},
		Education: []string{"B.Eng. Software Engineering, Fudan University"},
		Languages: []string{"English", "Mandarin"},
	})

	docx := buildDOCX(t, []string{"Name: Dan Wu", "3+ yrs building backends", "技能：Go、Rust", "Projects", "Beacon — metrics agent", "Education", "MIT"})
	docxText, err := Extract(context.Background(), FormatDOCX, docx, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	assertProfile(t, OfflineProfile(docxText), Profile{
		Name: "Dan Wu", YearsExperience: 3,
		Skills:    []string{"Go", "Rust"},
		Projects:  []Project{{Name: "Beacon", Description: "metrics agent"}},
		Education: []string{"MIT"},
		Languages: []string{},
	})
}

func TestOfflineProfileEdgeCases(t *testing.T) {
	tests := []struct {
		name, text string
		want       Profile
	}{
		{"empty", "", Profile{}},
		{"years in Chinese numerals", "王芳\n五年后端开发经验，其中十余年从业", Profile{Name: "王芳", YearsExperience: 10}},
		{"years as 两 and 二十", "张伟\n两年工作经验", Profile{Name: "张伟", YearsExperience: 2}},
		{"years as 二十三", "赵强\n二十三年从业经历", Profile{Name: "赵强", YearsExperience: 23}},
		{"years in English words", "Ann Lee\nFive years of backend work; eleven yrs total", Profile{Name: "Ann Lee", YearsExperience: 11}},
		{"a number word inside a word is not a count", "Bo Chen\nSomeone years ago wrote this", Profile{Name: "Bo Chen"}},
		{"a numeral inside a word is not a count", "Li Si\n一年级老师; 十字路口项目", Profile{Name: "Li Si"}},
		{"dates are not years of experience", "Jo Park\nWorked 2019年3月 to 2021. Since 2015 years ago", Profile{Name: "Jo Park"}},
		{"bold headings and inline items", "**Kim Lee**\n**Skills:** Go; Java\n**Languages**: Korean", Profile{
			Name: "Kim Lee", Skills: []string{"Go", "Java"}, Languages: []string{"Korean"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OfflineProfile(tt.text)
			want := tt.want
			for _, s := range []*[]string{&want.Skills, &want.Education, &want.Languages} {
				if *s == nil {
					*s = []string{}
				}
			}
			if want.Projects == nil {
				want.Projects = []Project{}
			}
			assertProfile(t, got, want)
		})
	}
}
