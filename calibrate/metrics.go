package calibrate

import (
	"math"
	"sort"
)

// Pearson returns the Pearson correlation of xs and ys, or NaN when either
// is constant or they hold fewer than two pairs.
func Pearson(xs, ys []float64) float64 {
	n := len(xs)
	if n < 2 || n != len(ys) {
		return math.NaN()
	}
	mx, my := meanOf(xs), meanOf(ys)
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// Spearman returns the rank correlation of xs and ys (ties share their
// mean rank).
func Spearman(xs, ys []float64) float64 {
	return Pearson(ranks(xs), ranks(ys))
}

func ranks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return xs[idx[a]] < xs[idx[b]] })
	r := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		mean := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = mean
		}
		i = j + 1
	}
	return r
}

// QuadraticKappa returns Cohen's quadratic weighted kappa of two ratings
// on the integer grid 0..max (values are rounded onto it), or NaN when it
// is undefined (every rating the same).
func QuadraticKappa(as, bs []float64, max int) float64 {
	n := len(as)
	if n == 0 || n != len(bs) {
		return math.NaN()
	}
	k := max + 1
	observed := make([]float64, k*k)
	histA := make([]float64, k)
	histB := make([]float64, k)
	for i := range as {
		a, b := grid(as[i], max), grid(bs[i], max)
		observed[a*k+b]++
		histA[a]++
		histB[b]++
	}
	var num, den float64
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			w := float64((i-j)*(i-j)) / float64((k-1)*(k-1))
			expected := histA[i] * histB[j] / float64(n)
			num += w * observed[i*k+j]
			den += w * expected
		}
	}
	if den == 0 {
		return math.NaN()
	}
	return 1 - num/den
}

func grid(x float64, max int) int {
	return min(max, int(math.Max(0, math.Round(x))))
}

func meanOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}
