package report

import "testing"

func TestLine(t *testing.T) {
	if Line(0) != "n is zero" {
		t.Fatal("bad")
	}
}
