package report

import "example.com/covdemo/calc"

// Line renders a label line for n.
func Line(n int) string {
	return "n is " + calc.Classify(n)
}
