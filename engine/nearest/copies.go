package nearest

import (
	"image"
	"math"
	"sync"

	"github.com/nfnt/resize"
)

// CopySlackDB is how far below the model's own round trip of a training
// image a picture may be and still count as a near-copy of it (Copies): a
// model redraws a training image no closer than its image tokenizer gives
// it back, and the emoji model's ViT tokenizer gives pictures unlike the
// emoji (a user's icons) back at 17–25 dB, under SamePictureDB, so that a
// sample of 63 of an icon's 64 codes passed for a new picture. The emoji
// model's samples lie at their nearest image's round trip exactly (99 of
// 100 within 0.5 dB); of 209 held-out emoji redrawn by the tokenizer, 18
// came within 0.5 dB of a training image's round trip (another skin tone
// of the same picture, mostly), 57 within 1.5 dB, and 8 within 25 dB.
const CopySlackDB = 0.5

// Copies judges near-copies of the images of a Set for one model: a
// picture is a near-copy of set image i when within SamePictureDB of it,
// or within CopySlackDB of what the model's image tokenizer gives back of
// it, whichever is lower. Safe for concurrent use.
type Copies struct {
	set *Set
	// roundTrip encodes and decodes an image with the model's tokenizer.
	roundTrip func(image.Image) (image.Image, error)
	mu        sync.Mutex
	ceilings  map[int]float64
}

// Copies is the near-copy judge of s for a model whose image tokenizer's
// encode and decode roundTrip is (nil: SamePictureDB alone, as NearCopy).
func (s *Set) Copies(roundTrip func(image.Image) (image.Image, error)) *Copies {
	return &Copies{set: s, roundTrip: roundTrip, ceilings: map[int]float64{}}
}

// Set is the set the copies are of.
func (c *Copies) Set() *Set { return c.set }

// Ceiling is the PSNR in dB of set image i against the model's round trip
// of it (+Inf when unknown: no round trip, or it failed); computed once.
func (c *Copies) Ceiling(i int) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.ceilings[i]; ok {
		return v
	}
	v := math.Inf(1)
	if c.roundTrip != nil {
		// The picture as the set holds it (stretched to a square, as
		// training prepares it): a wide photo letterboxed by the encoder
		// would come back far from its stretched self.
		if back, err := c.roundTrip(UnpackRGB(c.set.pixels[i], c.set.side)); err == nil && back != nil {
			v = psnrBytes(PackRGB(back, c.set.side, resize.Bilinear), c.set.pixels[i])
		}
	}
	c.ceilings[i] = v
	return v
}

// Threshold is the PSNR in dB at or above which a picture is a near-copy
// of set image i.
func (c *Copies) Threshold(i int) float64 {
	return min(float64(SamePictureDB), c.Ceiling(i)-CopySlackDB)
}

// NearCopy reports whether img is a near-copy of set image i, their PSNR
// in dB at the set's side (+Inf when equal) and the threshold it was held
// to.
func (c *Copies) NearCopy(img image.Image, i int) (near bool, psnr, threshold float64) {
	_, psnr = c.set.NearCopy(img, i)
	threshold = c.Threshold(i)
	return psnr >= threshold, psnr, threshold
}
