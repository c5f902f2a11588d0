package calc

import "testing"

func TestClassify(t *testing.T) {
	if Classify(3) != "positive" || Classify(-2) != "negative" {
		t.Fatal("bad")
	}
	if Sum([]int{1, -2, 3}) != 4 {
		t.Fatal("sum")
	}
	if Sum([]int{5, 6}) != 11 {
		t.Fatal("sum2")
	}
}
