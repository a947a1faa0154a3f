package ui

import (
	"fmt"
	"slices"

	"github.com/tessera-studio/tessera/ui/core"
)

// patchTemperatures is the temperature map for a run on the model's grid
// of n patches (nil when nothing is painted there).
func (s *Studio) patchTemperatures(n int) []float64 {
	if s.doc == nil {
		return nil
	}
	m := core.FitLen(s.doc.Temperature(), n)
	if !slices.ContainsFunc(m, func(t float64) bool { return t > 0 }) {
		return nil
	}
	return m
}

// temperatureStatus describes a temperature map for the status line,
// against the global temperature g.
func temperatureStatus(m []float64, g float64) string {
	cool, warm, n := 0, 0, 0
	for _, t := range m {
		switch {
		case t <= 0:
			continue
		case t < g:
			cool++
		case t > g:
			warm++
		}
		n++
	}
	if n == 0 {
		return fmt.Sprintf("Every patch uses the global temperature (%.2f)", g)
	}
	return fmt.Sprintf("%d patches have their own temperature (%d cooler, %d warmer than the global %.2f)", n, cool, warm, g)
}
