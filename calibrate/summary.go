package calibrate

import (
	"cmp"
	"math"
	"slices"
)

// Summary is how well the interviewer agreed with the humans, on the
// 0–10 scale. A figure that is undefined (fewer than two rows, or every
// score the same) is nil.
type Summary struct {
	N        int      `json:"n"`
	Failed   int      `json:"failed"`
	Pearson  *float64 `json:"pearson"`
	Spearman *float64 `json:"spearman"`
	// Kappa is quadratic weighted kappa with both scores rounded onto the
	// integer grid 0–10.
	Kappa *float64 `json:"quadratic_weighted_kappa"`
	// MAE is the mean absolute difference of interviewer and human.
	MAE *float64 `json:"mean_absolute_error"`
	// Bias is the mean of interviewer − human: positive is lenient.
	Bias *float64 `json:"mean_bias"`
	// FollowUpAgreement is the share of rows where the interviewer asked
	// for a follow-up exactly when the human grade is below half marks.
	FollowUpAgreement *float64 `json:"follow_up_agreement"`
}

// QuestionSummary is the agreement on one question's answers.
type QuestionSummary struct {
	Question string   `json:"question"`
	N        int      `json:"n"`
	Pearson  *float64 `json:"pearson"`
	MAE      float64  `json:"mean_absolute_error"`
	Bias     float64  `json:"mean_bias"`
}

// Summarise computes the agreement of the scored rows of results.
func Summarise(results []Result) Summary {
	var s Summary
	var machine, human []float64
	agree := 0
	for _, r := range results {
		if r.Err != "" {
			s.Failed++
			continue
		}
		machine = append(machine, float64(r.Evaluation.Score))
		human = append(human, r.Human())
		if r.Evaluation.FollowUp == (r.Human() < 5) {
			agree++
		}
	}
	s.N = len(machine)
	if s.N == 0 {
		return s
	}
	s.Pearson = defined(Pearson(machine, human))
	s.Spearman = defined(Spearman(machine, human))
	s.Kappa = defined(QuadraticKappa(machine, human, 10))
	mae, bias := meanErrors(machine, human)
	s.MAE, s.Bias = &mae, &bias
	share := float64(agree) / float64(s.N)
	s.FollowUpAgreement = &share
	return s
}

// ByQuestion summarises each question's scored answers, the worst agreement
// (largest mean absolute error) first.
func ByQuestion(results []Result) []QuestionSummary {
	type acc struct{ machine, human []float64 }
	groups := map[string]*acc{}
	var order []string
	for _, r := range results {
		if r.Err != "" {
			continue
		}
		g, ok := groups[r.Question]
		if !ok {
			g = &acc{}
			groups[r.Question] = g
			order = append(order, r.Question)
		}
		g.machine = append(g.machine, float64(r.Evaluation.Score))
		g.human = append(g.human, r.Human())
	}
	out := make([]QuestionSummary, 0, len(order))
	for _, q := range order {
		g := groups[q]
		mae, bias := meanErrors(g.machine, g.human)
		out = append(out, QuestionSummary{Question: q, N: len(g.machine), Pearson: defined(Pearson(g.machine, g.human)), MAE: mae, Bias: bias})
	}
	slices.SortStableFunc(out, func(a, b QuestionSummary) int { return cmp.Compare(b.MAE, a.MAE) })
	return out
}

// Disagreements returns the n scored rows where interviewer and human
// differ most, largest difference first.
func Disagreements(results []Result, n int) []Result {
	var scored []Result
	for _, r := range results {
		if r.Err == "" {
			scored = append(scored, r)
		}
	}
	slices.SortStableFunc(scored, func(a, b Result) int { return cmp.Compare(b.gap(), a.gap()) })
	return scored[:min(n, len(scored))]
}

func (r Result) gap() float64 { return math.Abs(float64(r.Evaluation.Score) - r.Human()) }

func meanErrors(machine, human []float64) (mae, bias float64) {
	for i := range machine {
		d := machine[i] - human[i]
		mae += math.Abs(d)
		bias += d
	}
	n := float64(len(machine))
	return mae / n, bias / n
}

func defined(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
