package ui

import (
	"encoding/json"
	"slices"

	"fyne.io/fyne/v2"

	"github.com/tessera-studio/tessera/engine/sampler"
	"github.com/tessera-studio/tessera/ui/core"
	"github.com/tessera-studio/tessera/ui/widgets"
)

// Preference keys.
const (
	prefParams     = "params"
	prefWindowW    = "window.width"
	prefWindowH    = "window.height"
	prefBrush      = "brush.size"
	prefGrid       = "canvas.grid"
	prefModel      = "model.last"
	prefRecent     = "model.recent"
	prefEditFolder = "model.edit_folder"
	prefOutputs    = "outputs.dir"
	prefScale      = "export.scale"
	prefFilter     = "export.filter"
	prefClearBg    = "export.transparent"
	prefExportDir  = "export.dir"
	prefOpenDir    = "open.dir"
	prefCandidates = "inpaint.candidates"
	// prefRankBy is the order chosen in Settings. Versions before models
	// recommended one stored "likelihood" under batch.rank_by on every
	// Save, chosen or not; a new key lets "as the model recommends" apply.
	prefRankBy     = "batch.order"
	prefHistory    = "history.shown"
	prefEditPanel  = "edit_panel.shown"
	prefTrainMins  = "train.minutes"
	prefRunFolders = "train.run_folders"
	prefTrainThr   = "train.threads"
	prefTrainData  = "train.data"
	prefSaveAll    = "outputs.every_candidate"
	prefLikelihood = "canvas.likelihood_map"
	prefPaintTemp  = "brush.temperature"
	prefDetail     = "edit.source_detail"
	// prefEditGuidance and prefEditImageGuidance are the guidance scales
	// chosen for edits by instruction (0 or none: the edit model's
	// recommended ones).
	prefEditGuidance      = "edit.guidance"
	prefInstruction       = "edit.instruction"
	prefEditImageGuidance = "edit.image_guidance"
)

// maxRecent is how many opened model folders the picker remembers.
const maxRecent = 8

// settings stores the studio's settings in Fyne preferences.
type settings struct {
	p fyne.Preferences
	// guest is set in a window whose session another window keeps
	// (lockSession): its panel's parameters, model and window size are
	// its own work, which is not kept for next time, so SetParams,
	// SetLastModel and SetWindowSize store nothing (it wrote them over
	// the first window's at its quit). Choices made in Settings and in
	// the tools (brush size, panels shown, the Train form's last run) are
	// stored as ever: they are the user's, whichever window made them.
	guest bool
}

// Params returns the last parameters (defaults if none are stored).
func (s settings) Params() core.Params {
	v := core.DefaultParams()
	if raw := s.p.String(prefParams); raw != "" {
		if err := json.Unmarshal([]byte(raw), &v); err != nil {
			return core.DefaultParams()
		}
	}
	return v.Clamped()
}

// SetParams stores the parameters.
func (s settings) SetParams(v core.Params) {
	if s.guest {
		return
	}
	if data, err := json.Marshal(v); err == nil {
		s.p.SetString(prefParams, string(data))
	}
}

// WindowSize is the last window size, else 1200×720: it fits a
// 1366×768 laptop screen with its panel (780 high cut the status line off).
func (s settings) WindowSize() fyne.Size {
	return fyne.NewSize(float32(s.p.FloatWithFallback(prefWindowW, 1200)), float32(s.p.FloatWithFallback(prefWindowH, 720)))
}

// SetWindowSize stores the window size (a size it holds already is not
// written again: the studio calls it at each autosave).
func (s settings) SetWindowSize(size fyne.Size) {
	if !s.guest && size.Width > 100 && size.Height > 100 && size != s.WindowSize() {
		s.p.SetFloat(prefWindowW, float64(size.Width))
		s.p.SetFloat(prefWindowH, float64(size.Height))
	}
}

// Brush is the brush size in patches.
func (s settings) Brush() int {
	return min(max(s.p.IntWithFallback(prefBrush, 3), widgets.MinBrush), widgets.MaxBrush)
}

// SetBrush stores the brush size.
func (s settings) SetBrush(n int) { s.p.SetInt(prefBrush, n) }

// Grid reports whether grid lines are shown.
func (s settings) Grid() bool { return s.p.BoolWithFallback(prefGrid, false) }

// LikelihoodMap reports whether the likelihood map was on when the studio
// was last left (it comes back on).
func (s settings) LikelihoodMap() bool { return s.p.BoolWithFallback(prefLikelihood, false) }

// SetLikelihoodMap stores whether the likelihood map is on.
func (s settings) SetLikelihoodMap(on bool) { s.p.SetBool(prefLikelihood, on) }

// PaintTemperature is the temperature the temperature brush paints (1
// until one is chosen), within the brush's range.
func (s settings) PaintTemperature() float64 {
	return min(max(s.p.FloatWithFallback(prefPaintTemp, 1), widgets.MinPaintTemperature), widgets.MaxPaintTemperature)
}

// SetPaintTemperature stores the temperature the brush paints.
func (s settings) SetPaintTemperature(v float64) { s.p.SetFloat(prefPaintTemp, v) }

// SourceDetail reports whether edits by instruction keep the source's
// detail (edit.TransferDetail; on until turned off, as in tessera edit).
func (s settings) SourceDetail() bool { return s.p.BoolWithFallback(prefDetail, true) }

// SetSourceDetail stores the source detail setting.
func (s settings) SetSourceDetail(on bool) { s.p.SetBool(prefDetail, on) }

// EditGuidance is the guidance scales chosen for edits by instruction, on
// the instruction and on the source image; 0 for one not chosen (the edit
// model's recommended value).
func (s settings) EditGuidance() editGuidance {
	read := func(key string) float64 {
		if v := s.p.FloatWithFallback(key, 0); v >= minEditGuidance && v <= maxEditGuidance {
			return v
		}
		return 0 // none, or out of the sliders' range (a hand-edited file)
	}
	return editGuidance{Guidance: read(prefEditGuidance), Image: read(prefEditImageGuidance)}
}

// SetEditGuidance stores the guidance scales chosen for edits.
func (s settings) SetEditGuidance(g editGuidance) {
	s.p.SetFloat(prefEditGuidance, g.Guidance)
	s.p.SetFloat(prefEditImageGuidance, g.Image)
}

// Instruction is the Edit by instruction box's text when the studio was
// last quit (the session file keeps it too, and is read first).
func (s settings) Instruction() string { return s.p.String(prefInstruction) }

// SetInstruction stores the instruction box's text (not in a window whose
// session another keeps, as SetParams).
func (s settings) SetInstruction(text string) {
	if !s.guest {
		s.p.SetString(prefInstruction, text)
	}
}

// SetGrid stores the grid lines setting.
func (s settings) SetGrid(on bool) { s.p.SetBool(prefGrid, on) }

// TrainBudget is the Train tab's last time budget in minutes and thread
// cap (ok false: none stored yet).
func (s settings) TrainBudget() (minutes float64, threads int, ok bool) {
	minutes, threads = s.p.FloatWithFallback(prefTrainMins, -1), s.p.IntWithFallback(prefTrainThr, 0)
	return minutes, threads, minutes >= 0 && threads >= 1
}

// SetTrainBudget stores the Train tab's time budget and thread cap.
func (s settings) SetTrainBudget(minutes float64, threads int) {
	s.p.SetFloat(prefTrainMins, minutes)
	s.p.SetInt(prefTrainThr, threads)
}

// SaveAllCandidates is whether every image of a batch is saved to the
// outputs folder, not only the one kept (off unless chosen in Settings).
func (s settings) SaveAllCandidates() bool { return s.p.Bool(prefSaveAll) }

// SetSaveAllCandidates stores that choice.
func (s settings) SetSaveAllCandidates(on bool) { s.p.SetBool(prefSaveAll, on) }

// TrainData is the Train tab's data of the last run started: a built-in
// dataset's name or a folder's path ("": none stored).
func (s settings) TrainData() string { return s.p.String(prefTrainData) }

// SetTrainData stores the Train tab's data choice.
func (s settings) SetTrainData(name string) { s.p.SetString(prefTrainData, name) }

// RunFolders are the run folders outside the runs folder that the Train
// tab lists (opened with its folder picker, or trained into).
func (s settings) RunFolders() []string { return s.p.StringList(prefRunFolders) }

// SetRunFolders stores the run folders listed from elsewhere.
func (s settings) SetRunFolders(dirs []string) { s.p.SetStringList(prefRunFolders, dirs) }

// HistoryShown is whether the history strip is shown under the canvas
// (on unless the user hid it: View › History strip).
func (s settings) HistoryShown() bool { return s.p.BoolWithFallback(prefHistory, true) }

// SetHistoryShown stores whether the history strip is shown.
func (s settings) SetHistoryShown(on bool) { s.p.SetBool(prefHistory, on) }

// EditPanelShown is whether the editing panel is shown beside the canvas
// (on unless the user hid it, View › Editing panel, or the screen was too
// narrow for it).
func (s settings) EditPanelShown() bool { return s.p.BoolWithFallback(prefEditPanel, true) }

// SetEditPanelShown stores whether the editing panel is shown.
func (s settings) SetEditPanelShown(on bool) { s.p.SetBool(prefEditPanel, on) }

// LastModel is the model used last ("" if none).
func (s settings) LastModel() string { return s.p.String(prefModel) }

// SetLastModel stores the model used last.
func (s settings) SetLastModel(key string) {
	if !s.guest {
		s.p.SetString(prefModel, key)
	}
}

// EditModelFolder is the edit model folder picked last in the model list
// for the Edit by instruction box ("" for none: the studio's own edit
// model).
func (s settings) EditModelFolder() string { return s.p.String(prefEditFolder) }

// SetEditModelFolder stores the edit model folder picked ("" to go back to
// the studio's own edit model); a guest window stores nothing, as for
// SetLastModel.
func (s settings) SetEditModelFolder(dir string) {
	if !s.guest {
		s.p.SetString(prefEditFolder, dir)
	}
}

// Recent lists the model folders opened, most recent first.
func (s settings) Recent() []string { return s.p.StringList(prefRecent) }

// AddRecent puts a model folder first in the recent list.
func (s settings) AddRecent(dir string) {
	list := slices.DeleteFunc(s.Recent(), func(d string) bool { return d == dir })
	list = append([]string{dir}, list...)
	if len(list) > maxRecent {
		list = list[:maxRecent]
	}
	s.p.SetStringList(prefRecent, list)
}

// Outputs is the outputs folder ("" means the default).
func (s settings) Outputs() string { return s.p.String(prefOutputs) }

// SetOutputs stores the outputs folder.
func (s settings) SetOutputs(dir string) { s.p.SetString(prefOutputs, dir) }

// Scale is the export scale factor.
func (s settings) Scale() int {
	return min(max(s.p.IntWithFallback(prefScale, 4), 1), MaxUpscale)
}

// SetScale stores the export scale factor.
func (s settings) SetScale(k int) { s.p.SetInt(prefScale, k) }

// Filter is the export filter.
func (s settings) Filter() Filter { return parseFilter(s.p.String(prefFilter)) }

// SetFilter stores the export filter.
func (s settings) SetFilter(f Filter) { s.p.SetString(prefFilter, f.String()) }

// TransparentBackground is whether exports make the white around the
// picture transparent (edit.TransparentBackground).
func (s settings) TransparentBackground() bool { return s.p.Bool(prefClearBg) }

// SetTransparentBackground stores the export's transparent background.
func (s settings) SetTransparentBackground(on bool) { s.p.SetBool(prefClearBg, on) }

// Candidates is the number of candidates of a masked regeneration.
func (s settings) Candidates() int {
	return min(max(s.p.IntWithFallback(prefCandidates, 4), 1), core.MaxBatch)
}

// SetCandidates stores the number of candidates.
func (s settings) SetCandidates(n int) { s.p.SetInt(prefCandidates, n) }

// RankBy is how a batch's candidates are ordered best first: "" (unless
// set otherwise) for as the model recommends (sampler.RecommendedRankBy).
func (s settings) RankBy() sampler.RankBy {
	name := s.p.String(prefRankBy)
	if name == "" {
		return ""
	}
	by, err := sampler.ParseRankBy(name)
	if err != nil {
		return ""
	}
	return by
}

// SetRankBy remembers how batches are ordered.
func (s settings) SetRankBy(by sampler.RankBy) { s.p.SetString(prefRankBy, string(by)) }

// ExportDir is the folder of the last export ("" if none yet).
func (s settings) ExportDir() string { return s.p.String(prefExportDir) }

// SetExportDir remembers the folder of the last export.
func (s settings) SetExportDir(dir string) { s.p.SetString(prefExportDir, dir) }

// OpenDir is the folder of the last image opened with Open image… ("" if
// none yet).
func (s settings) OpenDir() string { return s.p.String(prefOpenDir) }

// SetOpenDir remembers the folder of the last image opened.
func (s settings) SetOpenDir(dir string) { s.p.SetString(prefOpenDir, dir) }
