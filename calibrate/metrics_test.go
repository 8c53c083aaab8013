package calibrate

import (
	"math"
	"testing"
)

func TestMetrics(t *testing.T) {
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-3 {
			t.Errorf("%s = %.4f, want %.4f", name, got, want)
		}
	}
	xs := []float64{1, 2, 3, 4, 5}
	near("Pearson of a line", Pearson(xs, []float64{2, 4, 6, 8, 10}), 1)
	near("Pearson reversed", Pearson(xs, []float64{5, 4, 3, 2, 1}), -1)
	// By hand: deviations (-2..2) and (-1.6,-1.6,0.4,1.4,1.4): 9/√(10·9.2).
	near("Pearson", Pearson(xs, []float64{1, 1, 3, 4, 4}), 0.9383)
	near("Spearman of a monotone curve", Spearman(xs, []float64{1, 4, 9, 16, 25}), 1)
	near("Spearman with ties", Spearman([]float64{1, 2, 2, 3}, []float64{1, 2, 3, 4}), 0.9487)
	if !math.IsNaN(Pearson(xs, []float64{3, 3, 3, 3, 3})) {
		t.Error("Pearson against a constant should be NaN")
	}
	near("kappa of identical ratings", QuadraticKappa([]float64{0, 5, 10, 7}, []float64{0, 5, 10, 7}, 10), 1)
	// By hand: observed weighted disagreement 0.5, expected 1.375.
	near("kappa", QuadraticKappa([]float64{0, 1, 2, 2}, []float64{0, 2, 2, 1}, 2), 0.6364)
	near("kappa rounds onto the grid", QuadraticKappa([]float64{0.4, 9.6}, []float64{0, 10}, 10), 1)
}
