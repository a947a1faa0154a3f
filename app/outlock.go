package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// lockBatch takes, for this run, the advisory lock (gofrs/flock) of the
// numbered files outs of --out out (PATH-1.png … PATH-N.png), so that two
// runs writing the same set at once do not mix their files (two generate
// --batch 8 --out z.png both exited 0, and z-1 … z-8 were some of one run
// and some of the other). The second run fails before its work, saying
// so. A single file (outs is out alone), written whole by a rename, takes
// no lock. The lock file lies in the user's cache folder, named by the
// output's path, not beside the pictures; where it cannot be made the run
// goes on without it (the lock is a courtesy, not a guard). release gives
// the lock back.
func lockBatch(out string, outs []string) (release func(), err error) {
	none := func() {}
	if len(outs) == 0 || len(outs) == 1 && outs[0] == out {
		return none, nil
	}
	path, err := batchLockPath(out)
	if err != nil {
		return none, nil
	}
	l := flock.New(path)
	held, err := l.TryLock()
	switch {
	case err != nil:
		return none, nil
	case !held:
		return nil, fmt.Errorf("another Tessera run is writing %s just now: let it finish, or give --out another name", fileList(outs))
	}
	return func() { _ = l.Unlock() }, nil
}

// batchLockPath is the lock file of the numbered files of --out out: in
// the user's cache folder (made if missing), named by a hash of out's
// absolute path with its folder's symbolic links followed, so that every
// spelling of one folder takes one lock.
func batchLockPath(out string) (string, error) {
	dir, err := filepath.Abs(filepath.Dir(out))
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	locks := filepath.Join(cache, "tessera", "locks")
	if err := os.MkdirAll(locks, 0o755); err != nil {
		return "", fmt.Errorf("lock folder: %w", err)
	}
	sum := sha256.Sum256([]byte(filepath.Join(dir, filepath.Base(out))))
	return filepath.Join(locks, hex.EncodeToString(sum[:16])+".lock"), nil
}
