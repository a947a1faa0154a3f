package data

import (
	"cmp"
	"hash/fnv"
	"math"
	"slices"
)

// Split divides samples into a training and a validation set, keeping their
// order. It works by Key: every sample with one Key lands on the same side,
// so all vendors and skin tones of one emoji are either trained on or held
// out. A Key goes to validation when a hash of (seed, Key) falls below
// valFraction, so each Key's side does not depend on the other samples and
// adding data never moves a Key across. When valFraction is in (0, 1) and
// there are at least two Keys, neither side is left empty.
//
// Of fewer than smallSplit Keys, at most max(1, round(valFraction·Keys))
// go to validation, those whose hash is lowest: each Key drawn on its own,
// a user's 12 pictures lost 4 to validation at 0.1, a third of them never
// trained on.
//
// valFraction is clamped to [0, 1]. MNIST's Keys are its ten digits, so
// splitting MNIST holds out whole digits; use its own test set instead.
func Split(samples []Sample, valFraction float64, seed uint64) (train, val []Sample) {
	if math.IsNaN(valFraction) || valFraction < 0 {
		valFraction = 0
	}
	valFraction = min(valFraction, 1)
	u := make(map[string]float64)
	for _, s := range samples {
		if _, ok := u[s.Key]; !ok {
			u[s.Key] = keyUniform(s.Key, seed)
		}
	}
	isVal := make(map[string]bool, len(u))
	for k, x := range u {
		isVal[k] = x < valFraction
	}
	if len(u) >= 2 && valFraction > 0 && valFraction < 1 {
		// Move the key nearest the threshold when one side came out empty.
		nv := 0
		for _, v := range isVal {
			if v {
				nv++
			}
		}
		if nv == 0 || nv == len(u) {
			want := nv == 0 // true: find a key to move into val
			best, bestKey := math.Inf(1), ""
			for k, x := range u {
				d := math.Abs(x - valFraction)
				if isVal[k] != want && (d < best || d == best && k < bestKey) {
					best, bestKey = d, k
				}
			}
			isVal[bestKey] = want
		}
	}
	if n := len(u); n < smallSplit && valFraction < 1 {
		capVal := max(1, int(math.Round(valFraction*float64(n))))
		var held []string
		for k, v := range isVal {
			if v {
				held = append(held, k)
			}
		}
		// The lowest hashes stay held out (ties by Key: map order is random).
		slices.SortFunc(held, func(a, b string) int { return cmp.Or(cmp.Compare(u[a], u[b]), cmp.Compare(a, b)) })
		for _, k := range held[min(capVal, len(held)):] {
			isVal[k] = false
		}
	}
	for _, s := range samples {
		if isVal[s.Key] {
			val = append(val, s)
		} else {
			train = append(train, s)
		}
	}
	return train, val
}

// smallSplit is the number of Keys under which Split holds out no more
// than its fraction's share, rounded.
const smallSplit = 100

// keyUniform maps (key, seed) to a number in [0, 1).
func keyUniform(key string, seed uint64) float64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	x := h.Sum64() ^ (seed * 0x9E3779B97F4A7C15)
	// splitmix64 finaliser
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}

// SplitImages divides samples into a training and a validation set by image
// rather than by Key: a sample goes to validation when a hash of (seed, Key,
// Caption) falls below valFraction. Other vendors and skin tones of a held-out
// image usually stay in training, so validation measures how well a model
// draws things it knows in a look it has not seen; use it when every Key must
// be learnt (a shipped model should draw every emoji it lists). When
// valFraction is in (0, 1) and there are at least two samples, neither side
// is left empty.
func SplitImages(samples []Sample, valFraction float64, seed uint64) (train, val []Sample) {
	if math.IsNaN(valFraction) || valFraction < 0 {
		valFraction = 0
	}
	valFraction = min(valFraction, 1)
	u := make([]float64, len(samples))
	for i, s := range samples {
		u[i] = keyUniform(s.Key+"\x00"+s.Caption, seed)
	}
	isVal := make([]bool, len(samples))
	nv := 0
	for i, x := range u {
		isVal[i] = x < valFraction
		if isVal[i] {
			nv++
		}
	}
	if len(samples) >= 2 && valFraction > 0 && valFraction < 1 && (nv == 0 || nv == len(samples)) {
		want := nv == 0
		best, bi := math.Inf(1), -1
		for i, x := range u {
			if d := math.Abs(x - valFraction); isVal[i] != want && d < best {
				best, bi = d, i
			}
		}
		isVal[bi] = want
	}
	for i, s := range samples {
		if isVal[i] {
			val = append(val, s)
		} else {
			train = append(train, s)
		}
	}
	return train, val
}
