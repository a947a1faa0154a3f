package app

import (
	"context"
	"fmt"
)

// runStudio opens the desktop studio.
func runStudio(ctx context.Context, env Env) error {
	_ = ctx
	usage(env.Stdout)
	return fmt.Errorf("the studio is not built into this binary yet; use the commands above")
}
