//go:build !linux

package train

// physicalMemory is the machine's memory in bytes: unknown here (0), so
// NewModel bounds the activations by their count alone.
func physicalMemory() int64 { return 0 }
