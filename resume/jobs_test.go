package resume

import (
	"testing"
)

func TestFindRange(t *testing.T) {
	tests := []struct {
		line, start, end, rest string
	}{
		{"杭州云栈科技有限公司 · 高级后端工程师\t2020.07 – 至今", "2020-07", "present", "杭州云栈科技有限公司 · 高级后端工程师"},
		{"Mar 2021 – Present · Hangzhou", "2021-03", "present", "· Hangzhou"},
		{"2019 – present\tMonzo Bank, Backend Engineer", "2019", "present", "Monzo Bank, Backend Engineer"},
		{"2016.07 - 2019.02 携程旅行网 数据分析师", "2016-07", "2019-02", "携程旅行网 数据分析师"},
		{"Acme (07/2015 to 12/2017)", "2015-07", "2017-12", "Acme (\t)"},
		{"2018年3月~2020年5月 某公司", "2018-03", "2020-05", "某公司"},
		{"September 2019 – now, Google", "2019-09", "present", ", Google"},
	}
	for _, tt := range tests {
		start, end, _, rest, ok := findRange(tt.line, testNow)
		if !ok || start != tt.start || end != tt.end || normalize(rest, 200) != normalize(tt.rest, 200) {
			t.Errorf("findRange(%q) = %q, %q, %q, %v; want %q, %q, %q", tt.line, start, end, rest, ok, tt.start, tt.end, tt.rest)
		}
	}
	for _, line := range []string{"电话：139 1234 5678", "2021 – 2019 backwards", "2030 – 2031 in the future", "1234 – 5678"} {
		if s, e, _, _, ok := findRange(line, testNow); ok {
			t.Errorf("findRange(%q) = %q – %q, want no range", line, s, e)
		}
	}
}

// TestYearsFromCountsOverlapsOnce: 2014–2016, 2016–2020 and 2019–present
// (December 2026) cover January 2014 to December 2026 once.
func TestYearsFromCountsOverlapsOnce(t *testing.T) {
	var spans []span
	for _, line := range []string{"2014 – 2016", "2016 – 2020", "2019 – present"} {
		_, _, s, _, ok := findRange(line, testNow)
		if !ok {
			t.Fatalf("no range in %q", line)
		}
		spans = append(spans, s)
	}
	if got := yearsFrom(spans); got != 12 {
		t.Errorf("years = %d, want 12", got)
	}
	if got := yearsFrom(spans[:1]); got != 2 {
		t.Errorf("years of 2014 – 2016 = %d, want 2", got)
	}
	if got := yearsFrom(append(spans[:1:1], spans[0])); got != 2 {
		t.Errorf("the same job twice = %d years, want 2", got)
	}
}

func TestSplitJob(t *testing.T) {
	tests := []struct{ in, employer, title string }{
		{"Staff Engineer, Northwind Logistics", "Northwind Logistics", "Staff Engineer"},
		{"Monzo Bank, Backend Engineer", "Monzo Bank", "Backend Engineer"},
		{"杭州云栈科技有限公司 · 高级后端工程师", "杭州云栈科技有限公司", "高级后端工程师"},
		{"北京快点科技有限公司 Java 开发工程师", "北京快点科技有限公司", "Java 开发工程师"},
		{"Stripe\tSenior Data Engineer", "Stripe", "Senior Data Engineer"},
		{"Acme Payments Senior Engineer", "Acme Payments", "Senior Engineer"},
		{"Software Engineer at Google", "Google", "Software Engineer"},
	}
	for _, tt := range tests {
		if e, ti := splitJob(tt.in); e != tt.employer || ti != tt.title {
			t.Errorf("splitJob(%q) = %q, %q; want %q, %q", tt.in, e, ti, tt.employer, tt.title)
		}
	}
}

func TestFindContact(t *testing.T) {
	text := "Ann Lee\nAcme 2016-2020\nann@example.com | +1 (415) 555-0134 | github.com/annlee | ann.dev\n2019.03 - 2021.02"
	c := findContact(text)
	if c.Email != "ann@example.com" || c.Phone != "+1 (415) 555-0134" || len(c.Links) != 2 || c.Links[0] != "github.com/annlee" {
		t.Errorf("contact = %+v", c)
	}
	if c := findContact("2016-2020 Acme\n电话：138 0000 0000"); c.Phone != "138 0000 0000" {
		t.Errorf("phone = %q, want the one after the dates", c.Phone)
	}
}

func TestFindPhone(t *testing.T) {
	tests := []struct{ text, phone string }{
		{"tomas@example.es · +34 612 345 678 · Madrid", "+34 612 345 678"},
		{"2013.09 - 2017.06 复旦大学\n2019.03.15 入职\n手机：13800001111", "13800001111"},
		{"(555) 123-4567 | github.com/jd", "(555) 123-4567"},
		{"QPS 从 2000 提升到 30000", ""},
	}
	for _, tt := range tests {
		if got := findContact(tt.text).Phone; got != tt.phone {
			t.Errorf("phone in %q = %q, want %q", tt.text, got, tt.phone)
		}
	}
}
