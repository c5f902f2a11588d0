package calc

// Classify returns a label for n.
func Classify(n int) string {
	if n < 0 {
		return "negative"
	} else if n == 0 {
		return "zero"
	}
	return "positive"
}

// Sum adds the values; loops and branches on one line.
func Sum(xs []int) int {
	t := 0
	for _, x := range xs { if x > 0 { t += x } }
	return t
}

func unused() int { return 42 }
