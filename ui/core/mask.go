package core

import (
	"fmt"
	"strings"
)

// MaskString writes a mask as '0'/'1' characters (stored in PNG metadata).
func MaskString(m []bool) string {
	var b strings.Builder
	b.Grow(len(m))
	for _, v := range m {
		if v {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// ParseMask reads a MaskString of n entries.
func ParseMask(s string, n int) ([]bool, error) {
	if len(s) != n {
		return nil, fmt.Errorf("mask has %d entries, want %d", len(s), n)
	}
	m := make([]bool, n)
	for i := 0; i < n; i++ {
		switch s[i] {
		case '1':
			m[i] = true
		case '0':
		default:
			return nil, fmt.Errorf("mask entry %d is %q, want 0 or 1", i, s[i])
		}
	}
	return m, nil
}

// AnyMasked reports whether some patch is masked.
func AnyMasked(m []bool) bool {
	for _, v := range m {
		if v {
			return true
		}
	}
	return false
}
