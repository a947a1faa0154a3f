// Package edit makes the training pairs of Tessera's edit-by-instruction
// model and measures its edits.
//
// An edit model is an Image GPT whose sequence is
//
//	instruction words (L) | source codes (N) | SOS | target codes (N)
//
// (model.Ext documents the positions), the layout of EditAR (Mu et al. 2025,
// arXiv 2501.04699); the loss is on the target codes only and the
// instruction and the source are each dropped at random in training, so
// that InstructPix2Pix's two guidance scales (Brooks et al. 2023) work when
// sampling (sampler.Edit).
//
// Every pair is exact, made from the six-style emoji data at 64×64
// (data.Emoji):
//   - background: the emoji over a generated background (flat colour,
//     gradient, stripes, checks, noise, a blurred crop of another emoji) →
//     the emoji on white;
//   - skin tone: an emoji in one tone (or the yellow default) → the same
//     emoji, style and pose in another;
//   - style: the same emoji (and tone) in another artwork style;
//   - gender: the person / man / woman forms emoji.json pairs;
//   - pixel operations with computed targets: mirror, black and white,
//     invert, and "make it red|green|blue|purple" (the hue of every
//     coloured pixel set, saturation and value kept).
//
// Each family has several wordings, drawn at random per pair (Wordings);
// sources come from every style. A deterministic split (data.SplitImages)
// holds source images out: a held-out image is the source of evaluation
// pairs only and appears in no training pair at all.
//
// Pairs makes the pairs as recipes; Prepare tokenises them into
// train.Examples with the model configuration; PSNR and WhiteKept are the
// pixel measures of eval-edits.
package edit
