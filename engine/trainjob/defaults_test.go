package trainjob

import (
	"testing"

	"github.com/tessera-studio/tessera/engine/bundle"
	"github.com/tessera-studio/tessera/engine/model"
	"github.com/tessera-studio/tessera/engine/sampling"
)

// A fine-tune recommends the sampling settings of the model it tunes,
// each replaced where its own settings recommend one (the emoji model's
// fine-tunes lost its min-p and style per seed and drew at temperature 1
// without guidance); a model without defaults leaves its own as they are.
func TestFineTuneInheritsDefaults(t *testing.T) {
	emoji := sampling.Recommended{Temperature: 0.8, Guidance: 3, GuidanceMinP: 0.5, StylePerSeed: 1}
	base := &bundle.Bundle{Model: &model.Model{Config: model.Config{Tessera: &model.Ext{Defaults: &emoji}}}}
	if got := inheritDefaults(base, sampling.Recommended{}); got != emoji {
		t.Errorf("no defaults of its own: %+v, want %+v", got, emoji)
	}
	own := sampling.Recommended{TopP: 0.9, Guidance: 1.5, RankBy: "description"} // the shapes preset's
	want := sampling.Recommended{Temperature: 0.8, TopP: 0.9, Guidance: 1.5, GuidanceMinP: 0.5, StylePerSeed: 1, RankBy: "description"}
	if got := inheritDefaults(base, own); got != want {
		t.Errorf("with its own: %+v, want %+v", got, want)
	}
	plain := &bundle.Bundle{Model: &model.Model{Config: model.Config{}}}
	if got := inheritDefaults(plain, own); got != own {
		t.Errorf("a base without defaults: %+v, want %+v", got, own)
	}
}
