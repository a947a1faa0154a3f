package core

import "testing"

func TestMaskString(t *testing.T) {
	m := []bool{true, false, false, true}
	s := MaskString(m)
	if s != "1001" {
		t.Fatal(s)
	}
	back, err := ParseMask(s, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		if back[i] != m[i] {
			t.Fatal("round trip")
		}
	}
	if _, err := ParseMask("10", 4); err == nil {
		t.Error("short mask accepted")
	}
	if _, err := ParseMask("10x1", 4); err == nil {
		t.Error("bad character accepted")
	}
}
