package llm

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mianshi/mianshi/resume"
)

// TestResumeQuestionNamesProjectsAndEmployers: the résumé rounds move
// through the candidate's projects, then employers, and fall back to skills.
func TestResumeQuestionNamesProjectsAndEmployers(t *testing.T) {
	profile := func(p resume.Profile) string {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	withBoth := profile(resume.Profile{
		Projects: []resume.Project{{Name: "积分商城"}},
		Jobs:     []resume.Job{{Employer: "蚂蚁集团", Title: "高级数据分析师", Start: "2019-03", End: "present"}},
		Skills:   []string{"SQL"},
	})
	tests := []struct {
		profile  string
		round    int
		language string
		want     string
	}{
		{withBoth, 2, "zh", "「积分商城」"},
		{withBoth, 5, "zh", "你在「蚂蚁集团」工作过"},
		{withBoth, 5, "en", "worked at \u201c蚂蚁集团\u201d"},
		{profile(resume.Profile{Skills: []string{"SQL"}}), 2, "en", "\u201cSQL\u201d"},
		{"not json", 2, "en", "What is a goroutine?"},
	}
	for _, tt := range tests {
		got := resumeQuestion(Context{Round: tt.round, Language: tt.language}, tt.profile, "What is a goroutine?")
		if !strings.Contains(got, tt.want) || !strings.HasSuffix(got, "What is a goroutine?") {
			t.Errorf("round %d (%s): %q, want it to contain %q and end with the bank question", tt.round, tt.language, got, tt.want)
		}
	}
}
